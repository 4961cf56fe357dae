import { SaxesParser } from 'saxes';
import { describe, expect, test } from 'vitest';
import { MAX_FLOOR_PLAN_BYTES, sanitiseFloorPlan } from './floor-plans.js';

const plan = (inner: string, root = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">') =>
  `${root}\n${inner}\n</svg>`;

/** Every way a drawing could run code or reach out: each must be refused and absent from any output. */
const PAYLOADS: Record<string, string> = {
  script: '<script>alert(1)</script>',
  'script with CDATA': '<script><![CDATA[alert(1)]]></script>',
  'onload on a shape': '<rect id="a" width="1" height="1" onload="alert(1)"/>',
  'ONCLICK upper case': '<rect id="a" width="1" height="1" ONCLICK="alert(1)"/>',
  'javascript: link': '<a href="javascript:alert(1)"><rect width="1" height="1"/></a>',
  'xlink:href on use': '<use xlink:href="http://evil.example/x.svg#a"/>',
  'external image': '<image href="http://evil.example/track.png" width="1" height="1"/>',
  foreignObject: '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>',
  'style element': '<style>rect { fill: url(http://evil.example/a) }</style>',
  'url() in fill': '<rect id="a" width="1" height="1" fill="url(http://evil.example/p#g)"/>',
  'url() in style': '<rect id="a" width="1" height="1" style="fill:url(http://evil.example/p#g)"/>',
  'animate that sets href': '<animate attributeName="href" to="javascript:alert(1)"/>',
  'set element': '<set attributeName="onmouseover" to="alert(1)"/>',
  'processing instruction': '<?xml-stylesheet href="http://evil.example/s.css"?>',
  'data: in an attribute': '<rect id="a" width="1" height="1" fill="data:text/html,x"/>',
};

describe('floor-plan SVG sanitiser', () => {
  test('a plain drawing is kept: shapes, groups, text (escaped), ids as region names', () => {
    const r = sanitiseFloorPlan(
      plan(
        '<g id="zones"><rect id="prod" x="1" y="1" width="4" height="4" style="fill:#eee;cursor:pointer"/></g><text x="1" y="9">R&amp;D &lt;1&gt;</text>',
      ),
    );
    expect(r.problems).toEqual([]);
    expect(r.regions).toEqual(['zones', 'prod']);
    expect(r.markup).toContain(
      '<rect id="prod" x="1" y="1" width="4" height="4" style="fill:#eee" name="prod">',
    );
    expect(r.markup).toContain('R&amp;D &lt;1&gt;');
    expect(r.markup.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });

  test.each(Object.entries(PAYLOADS))('%s: refused with its line, nothing served', (_, payload) => {
    const r = sanitiseFloorPlan(plan(`<rect id="ok" width="1" height="1"/>\n${payload}`));
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.problems[0]?.line).toBe(3);
    expect(r.markup).toBe('');
  });

  test('the rebuilt markup never carries a payload even when parts are dropped quietly', () => {
    // Editor attributes and unknown style properties are dropped without a problem.
    const r = sanitiseFloorPlan(
      plan(
        '<rect id="a" inkscape:label="x" data-x="1" width="1" height="1" style="behavior:x;fill:red"/>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape">',
      ),
    );
    expect(r.problems).toEqual([]);
    expect(r.markup).not.toMatch(/inkscape|data-x|behavior/);
    expect(r.markup).toContain('style="fill:red"');
  });

  test('DOCTYPE (entity expansion) and malformed XML are refused', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>${plan('<text>&b;</text>')}`;
    expect(sanitiseFloorPlan(bomb).problems.length).toBeGreaterThan(0);
    expect(sanitiseFloorPlan('<svg><rect></svg>').problems[0]?.message).toMatch(/not well-formed/);
    expect(sanitiseFloorPlan('<html></html>').problems[0]?.message).toMatch(/root element must be <svg>/);
  });

  test('attribute values are re-escaped: a quote cannot break out into a new attribute', () => {
    const r = sanitiseFloorPlan(plan('<rect id="a&quot; onload=&quot;alert(1)" width="1" height="1"/>'));
    expect(r.problems).toEqual([]);
    expect(r.markup).toContain('id="a&#34; onload=&#34;alert(1)"');
    // Parsed again, the rect has exactly the attributes it was given, the quote still inside its id.
    const attrs: Record<string, string>[] = [];
    const parser = new SaxesParser({ xmlns: false });
    parser.on(
      'opentag',
      (t) => t.name === 'rect' && attrs.push({ ...(t.attributes as Record<string, string>) }),
    );
    parser.write(r.markup).close();
    expect(attrs).toEqual([
      { id: 'a" onload="alert(1)', width: '1', height: '1', name: 'a" onload="alert(1)' },
    ]);
  });

  test('bounded: a file over the size limit is refused without parsing', () => {
    const big = plan(`<desc>${'x'.repeat(MAX_FLOOR_PLAN_BYTES)}</desc>`);
    expect(sanitiseFloorPlan(big).problems[0]?.message).toMatch(/larger than/);
  });
});
