/** canonical.json: §2 canonical encoding (encode) and the reference reader's verdict on texts (parse). */
import { canonicalString, parseCanonical, type Json } from '../../src/math/canonical.ts';
import { QfsError } from '../../src/core/errors.ts';
import type { Vectors } from './common.ts';

export function canonicalVectors(): Vectors {
  const encode: { name: string; input: Json }[] = [
    { name: 'empty object', input: {} },
    { name: 'sorted keys', input: { b: '1', a: ['2', null, true, false], c: { z: 'x', a: '' } } },
    { name: 'escapes', input: { s: 'quote " backslash \\ nl \n tab \t cr \r bs \b ff \f ctl \u0001 \u001f del \u007f' } },
    { name: 'non-ascii', input: { s: 'ψ-field ΔCHR 日本 😀' } },
    { name: 'key order by code unit', input: { a_b: '1', a0: '2', a: '3', ab: '4', _: '5', z9: '6' } },
    { name: 'nested arrays', input: [[], [[]], [{}], ['0', '-1', '340282366920938463463374607431768211455']] },
    { name: 'integer-like strings are strings', input: { a: '-0', b: '007', c: '+1', d: '1e3' } },
  ];
  const parse: { name: string; text: string }[] = [
    { name: 'canonical', text: '{"a":"1","b":[true,null]}' },
    { name: 'whitespace', text: '{"a": "1"}' },
    { name: 'unsorted keys', text: '{"b":"1","a":"2"}' },
    { name: 'duplicate key', text: '{"a":"1","a":"1"}' },
    { name: 'json number', text: '{"a":1}' },
    { name: 'float', text: '{"a":1.5}' },
    { name: 'escaped slash', text: '{"a":"\\/"}' },
    { name: 'unicode escape of printable', text: '{"a":"\\u0041"}' },
    { name: 'upper-case escape', text: '{"a":"\\u001F"}' },
    { name: 'lower-case escape', text: '{"a":"\\u001f"}' },
    { name: 'trailing newline', text: '{"a":"1"}\n' },
    { name: 'bad key', text: '{"A":"1"}' },
    { name: 'empty key', text: '{"":"1"}' },
    { name: 'top-level string', text: '"x"' },
    { name: 'not json', text: '{' },
    { name: 'byte order mark', text: '\ufeff{"a":"1"}' },
    { name: 'lone surrogate escape', text: '{"a":"\\ud800"}' },
    { name: 'lone low surrogate escape', text: '{"a":"\\udc00"}' },
    { name: 'escaped surrogate pair', text: '{"a":"\\ud83d\\ude00"}' },
    { name: 'literal astral character', text: '{"a":"\u{1f600}"}' },
    { name: 'raw control character', text: '{"a":"\u0001"}' },
    { name: 'raw tab', text: '{"a":"\t"}' },
    { name: 'escaped tab', text: '{"a":"\\t"}' },
    { name: 'raw DEL', text: '{"a":"\u007f"}' },
    { name: 'escaped DEL', text: '{"a":"\\u007f"}' },
    { name: 'minus zero string', text: '{"a":"-0"}' },
    { name: 'leading zero string', text: '{"a":"007"}' },
  ];
  return {
    format: 'qfs-vectors/1',
    section: '§2 canonical encoding',
    encode: encode.map((c) => ({ ...c, canonical: canonicalString(c.input) })),
    // The reference reader (P2.3) over the text's UTF-8 bytes, as the ports read it.
    parse: parse.map((c) => {
      let canonical = true;
      try {
        parseCanonical(new TextEncoder().encode(c.text));
      } catch (e) {
        if (!(e instanceof QfsError)) throw e;
        canonical = false;
      }
      return { ...c, canonical };
    }),
  };
}
