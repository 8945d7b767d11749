import { describe, expect, it } from 'vitest';
import { escapeXmlAttribute, escapeXmlText } from './xml-text.js';

describe('the one XML text escaper', () => {
  it('escapes markup, keeps a carriage return as a reference and replaces what XML cannot carry', () => {
    expect(escapeXmlText('a & b < c > d\r\n')).toBe('a &amp; b &lt; c &gt; d&#13;\n');
    expect(escapeXmlText('x\u0000y\uD800z')).toBe('x\uFFFDy\uFFFDz');
    expect(escapeXmlText('x\u0000y\uD800z', { invalid: 'drop' })).toBe('xyz');
    expect(escapeXmlText('"quoted" \'text\'')).toBe('"quoted" \'text\'');
    expect(escapeXmlText('😀')).toBe('😀');
  });

  it('escapes the quotes too for attribute values', () => {
    expect(escapeXmlAttribute('"a" & \'b\'')).toBe('&quot;a&quot; &amp; &apos;b&apos;');
  });
});
