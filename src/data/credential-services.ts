/** The services a default-credential entry (src/data/credentials.json) or an owner's credential (targets.yaml) may name. */
export const CREDENTIAL_SERVICES = ['ssh', 'telnet', 'http', 'ftp', 'mqtt', 'rtsp', 'snmp'] as const;
export type CredentialService = (typeof CREDENTIAL_SERVICES)[number];
