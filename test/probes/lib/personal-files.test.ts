import { buildFileVocabulary, classifyFilePath, MAX_PATH_CHARS } from '../../../src/probes/lib/personal-files.js';

describe('personal file names', () => {
  test.each([
    ['scans/scan-0001.pdf', ['document']],
    ['DCIM/100MEDIA/IMG_0001.JPG', ['photo']],
    ['record/20240101/ch01_0800.dav', ['video']],
    ['TimeMachine/MacBook.sparsebundle', ['backup']],
    ['home/.ssh/id_rsa', ['secret']],
    ['MyPhotos/holiday.heic', ['photo']],
  ])('%s is %j', (path, kinds) => {
    expect(classifyFilePath(path)).toEqual(kinds);
  });

  test.each(['escape.txt', 'firmware.bin', 'config/lighttpd.conf', 'scanner.log', 'README'])('%s is nothing personal', (path) => {
    expect(classifyFilePath(path)).toEqual([]);
  });

  test('whole words only, and hostile lengths are capped', () => {
    expect(classifyFilePath('landscape/notes.log')).toEqual([]); // "scape" is not "scan"
    expect(classifyFilePath(`${'a/'.repeat(5000)}x.pdf`)).toEqual([]); // cut at MAX_PATH_CHARS, the extension is gone
    expect(MAX_PATH_CHARS).toBeLessThan(10_000);
  });

  test('a malformed vocabulary is refused at load', () => {
    expect(() => buildFileVocabulary({ categories: [] })).toThrow(/no categories/);
    expect(() => buildFileVocabulary({ categories: [{ id: 'x', label: 'x', source: 's', extensions: ['PDF'], words: [] }] })).toThrow(/malformed/);
  });
});
