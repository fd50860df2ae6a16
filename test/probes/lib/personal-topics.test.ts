import {
  buildVocabulary, categoryLabel, classifyName, classifyPayloadKeys, levelTokens, MAX_JSON_PARSE_BYTES, MAX_PREVIEW_CHARS,
  MAX_TOPIC_CHARS, previewPayload, VOCABULARY,
} from '../../../src/probes/lib/personal-topics.js';

describe('personal-topics vocabulary', () => {
  it('loads the data file with a source for every category', () => {
    expect(VOCABULARY.categories.map((c) => c.id)).toEqual(
      expect.arrayContaining(['presence', 'location', 'access', 'camera', 'identity']),
    );
    expect(VOCABULARY.categories.every((c) => c.words.size > 0)).toBe(true);
  });

  it('rejects a malformed data file instead of matching nothing', () => {
    expect(() => buildVocabulary({})).toThrow(/missing/);
    expect(() => buildVocabulary({ categories: [{ id: 'x', label: 'x', words: ['UPPER'], source: 's' }], nameAfter: { words: [], notNames: [] }, payloadKeys: [] })).toThrow(/malformed/);
    expect(() => buildVocabulary({ categories: [], nameAfter: { words: [], notNames: [] }, payloadKeys: [{ category: 'nope', words: ['a'] }] })).toThrow(/payloadKeys/);
  });
});

describe('levelTokens', () => {
  it('splits at punctuation and camelCase and drops trailing digits and plural s', () => {
    const t = levelTokens('frontDoor_Locks2');
    expect(t).toEqual(expect.arrayContaining(['frontdoor_locks2', 'front', 'door', 'locks2', 'locks', 'lock']));
  });
});

describe('classifyName', () => {
  it.each([
    ['home/alice/presence', ['presence']],
    ['home/frontdoor/lock', ['access']],
    ['home/livingroom/camera/snapshot', ['camera']],
    ['home/bob/phone', ['tracker']],
    ['owntracks/alice/pixel7', ['location', 'identity']],
    ['homeassistant/person/Bob Smith/state', ['identity']],
    ['zigbee2mqtt/hallway_motion_sensor', ['presence']],
    ['frigate/driveway/person/snapshot', ['camera']],
  ])('%s looks personal (%j)', (topic, categories) => {
    expect(classifyName(topic).categories).toEqual(categories);
  });

  it.each([
    'sensors/livingroom/temperature',
    'home/kitchen/clock',
    'garden/indoor/humidity',
    'shelly/plug-1/relay/0',
    'tele/tasmota_ABC123/STATE',
    '$SYS/broker/clients/connected',
    'users/count',
    '__proto__/constructor/prototype',
  ])('%s does not look personal', (topic) => {
    expect(classifyName(topic).categories).toEqual([]);
  });

  it('reports which words matched, without duplicates', () => {
    const m = classifyName('home/frontdoor/lock/lock');
    expect(m.matched).toEqual(['frontdoor', 'lock']);
  });

  it('caps the input: a huge topic is cut before matching', () => {
    const huge = `${'a/'.repeat(100_000)}presence`;
    expect(classifyName(huge).categories).toEqual([]);
    expect(classifyName(`${'x'.repeat(MAX_TOPIC_CHARS - 9)}/presence`).categories).toEqual(['presence']);
  });
});

describe('classifyPayloadKeys', () => {
  it('finds location and identity keys', () => {
    expect(classifyPayloadKeys(['_type', 'lat', 'lon', 'tst']).categories).toEqual(['location']);
    expect(classifyPayloadKeys(['name', 'email']).categories).toEqual(['identity']);
    expect(classifyPayloadKeys(['temperature', 'humidity', '__proto__']).categories).toEqual([]);
  });
});

describe('categoryLabel', () => {
  it('gives the plain-language label and falls back to the id', () => {
    expect(categoryLabel('presence')).toMatch(/home/);
    expect(categoryLabel('unknown-id')).toBe('unknown-id');
  });
});

describe('previewPayload', () => {
  const presence = Buffer.from('{"person":"Alice Smith","lat":51.50722,"lon":-0.1275,"home":true,"tags":["a"],"x":null}');

  it('shows JSON keys and value types, never the values, unless revealed', () => {
    const p = previewPayload(presence, false);
    expect(p).toEqual({
      kind: 'json', bytes: presence.length, keys: ['person', 'lat', 'lon', 'home', 'tags', 'x'],
      preview: '{"person":<string>,"lat":<number>,"lon":<number>,"home":<boolean>,"tags":<array>,"x":<null>}',
    });
    expect(p.preview).not.toMatch(/Alice|51\.5/);
    expect(previewPayload(presence, true).preview).toContain('Alice Smith');
  });

  it('describes text and binary payloads by size and media type only', () => {
    expect(previewPayload(Buffer.from('unlocked'), false)).toEqual({ kind: 'text', bytes: 8, preview: '<text, 8 bytes>', keys: [] });
    expect(previewPayload(Buffer.from('unlocked'), true).preview).toBe('unlocked');
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100, 0)]);
    expect(previewPayload(jpeg, false)).toEqual({ kind: 'binary', bytes: 104, preview: '<binary, 104 bytes, image/jpeg>', keys: [] });
    expect(previewPayload(Buffer.alloc(0), false).kind).toBe('empty');
  });

  it('caps what it parses and shows, and is safe with __proto__ keys', () => {
    const big = Buffer.from(JSON.stringify({ a: 'x'.repeat(MAX_JSON_PARSE_BYTES) }));
    expect(previewPayload(big, false).kind).toBe('text');
    expect(previewPayload(big, true).preview.length).toBeLessThanOrEqual(MAX_PREVIEW_CHARS + 1);
    const proto = previewPayload(Buffer.from('{"__proto__":{"polluted":1},"constructor":1}'), false);
    expect(proto.keys).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const manyKeys = Buffer.from(JSON.stringify(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]))));
    const m = previewPayload(manyKeys, false);
    expect(m.keys).toHaveLength(32);
    expect(m.preview.endsWith(',…}')).toBe(true);
  });
});
