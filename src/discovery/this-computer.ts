/**
 * The computer running iotcop. A scan of the local subnet finds it too, and without this it would be
 * listed as a "device of unknown type" and checked like an IoT device. It is recognised by its own
 * interface addresses, named "This computer", and (the plan's choice, src/scheduler/plan.ts) not checked
 * unless the user asks: `--include-self`, an entry for it in targets.yaml, or its own address as a target
 * (`iotcop scan 127.0.0.1`; a range that merely holds it is not asking).
 *
 * Not applied to an imported nmap XML scan (`--nmap-xml`): that scan may have run on another machine.
 */
import type { Device } from '../model.js';
import { canonicalAddress } from './map.js';

export const THIS_COMPUTER_NAME = 'This computer';
export const THIS_COMPUTER_SOURCE = 'local-interface';

/** This machine's own addresses (from os.networkInterfaces(), loopback included), canonical. */
export function localAddresses(interfaces: readonly { address: string }[]): Set<string> {
  const out = new Set<string>();
  for (const i of interfaces) {
    // a link-local IPv6 address may carry its zone (fe80::1%eth0); the address is what comes before it
    const a = canonicalAddress(i.address.split('%')[0] ?? '');
    if (a) out.add(a);
  }
  return out;
}

/**
 * The device marked as this computer when its address is one of `local` (pure). It keeps any name the
 * user gave it; otherwise it is "This computer". Its type is `computer`, from its own interface list.
 */
export function markThisComputer(device: Device, local: ReadonlySet<string>, ownerNamed = false): Device {
  if (!local.has(device.address)) return device;
  const id = device.identification;
  return {
    ...device,
    thisComputer: true,
    name: ownerNamed ? device.name : THIS_COMPUTER_NAME,
    identification: {
      ...id,
      type: id.type === 'unknown' ? 'computer' : id.type,
      confidence: 'high',
      sources: [THIS_COMPUTER_SOURCE, ...id.sources.filter((s) => s !== THIS_COMPUTER_SOURCE)],
    },
  };
}
