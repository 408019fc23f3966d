import { describe, expect, it } from 'vitest';
import { parseListener, selectListeners } from '../../../src/http/index.ts';

const from =
  (values: Record<string, string>) =>
  (key: string): string | undefined =>
    values[key];

describe('mm2ts.http.listener', () => {
  it.each([
    ['127.0.0.1:8083', { protocol: 'http', host: '127.0.0.1', port: 8083 }],
    [':8083', { protocol: 'http', host: '0.0.0.0', port: 8083 }],
    ['[::1]:8083', { protocol: 'http', host: '::1', port: 8083 }],
    ['http://0.0.0.0:8083', { protocol: 'http', host: '0.0.0.0', port: 8083 }],
    ['HTTPS://localhost:8443', { protocol: 'https', host: 'localhost', port: 8443 }],
    [' https://[::]:0 ', { protocol: 'https', host: '::', port: 0 }],
  ])('%s', (value, expected) => {
    expect(selectListeners(from({ 'mm2ts.http.listener': value }))).toEqual([
      { ...expected, key: 'mm2ts.http.listener' },
    ]);
  });

  it.each([
    ['8083', 'not host:port'],
    ['ftp://0.0.0.0:21', 'protocol ftp is not served (only http and https are)'],
    ['h2://0.0.0.0:8083', 'protocol h2 is not served'],
    ['https://0.0.0.0', 'not protocol://host:port'],
    ['0.0.0.0:70000', 'port 70000 is not between 0 and 65535'],
    ['https://0.0.0.0:-1', 'port -1 is not between 0 and 65535'],
  ])('%s is a start-up error naming the key and the valid forms', (value, what) => {
    expect(() => selectListeners(from({ 'mm2ts.http.listener': value }))).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG',
        message: expect.stringMatching(
          new RegExp(
            `^mm2ts\\.http\\.listener = ${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ${what.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*; expected host:port, http://host:port or https://host:port`,
          ),
        ),
      }),
    );
  });

  it('empty means no HTTP server, as before', () => {
    expect(selectListeners(from({ 'mm2ts.http.listener': '  ' }))).toEqual([]);
    expect(selectListeners(from({}))).toEqual([]);
  });
});

describe("Connect's listeners", () => {
  it('serves every http and https URL listed', () => {
    expect(selectListeners(from({ listeners: 'http://127.0.0.1:8083 , https://:8443' }))).toEqual([
      { protocol: 'http', host: '127.0.0.1', port: 8083, key: 'listeners' },
      { protocol: 'https', host: '0.0.0.0', port: 8443, key: 'listeners' },
    ]);
  });

  it.each([
    [
      '127.0.0.1:8083',
      /^listeners = 127\.0\.0\.1:8083: no protocol; expected comma-separated http:\/\/host:port or https:\/\/host:port URLs/,
    ],
    ['http://:8083,ftp://:21', /^listeners = ftp:\/\/:21: protocol ftp is not served/],
    ['http://:8083,,https://:8443', /^listeners has an empty entry; expected/],
    ['', /^listeners is empty; expected comma-separated/],
    ['http://:8083,https://:8083', /^listeners: 0\.0\.0\.0:8083 is listed twice/],
  ])('%s is a start-up error naming the key', (value, message) => {
    expect(() => selectListeners(from({ listeners: value }))).toThrow(message);
  });

  it('and mm2ts.http.listener together are a start-up error', () => {
    expect(() => selectListeners(from({ listeners: 'https://:8443', 'mm2ts.http.listener': '0.0.0.0:8083' }))).toThrow(
      /^both mm2ts\.http\.listener and listeners are set: set one of them/,
    );
  });

  it('parseListener keeps the key for messages', () => {
    expect(parseListener('https://h:1', 'listeners')).toEqual({
      protocol: 'https',
      host: 'h',
      port: 1,
      key: 'listeners',
    });
  });
});
