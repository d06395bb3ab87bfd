/**
 * The templates catalog's rules, one by one (src/templates/): Meta's format parsed as exported,
 * the check of a message against its entry, and lint. Expectations follow Meta's template format
 * (components, {{1}}/{{name}} placeholders, URL buttons with a {{1}} suffix).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseTemplates, type TemplateEntry } from '../../src/templates/catalog.js';
import { checkAgainst, renderBody, shapeOf, textProblem, type TemplateLike } from '../../src/templates/check.js';
import { lintCatalog, lintEntry } from '../../src/templates/lint.js';

const entry = (over: Partial<TemplateEntry> & { components: TemplateEntry['components'] }): TemplateEntry => ({
  name: 't',
  language: 'pt_BR',
  status: 'APPROVED',
  ...over,
});
const msg = (over: Partial<TemplateLike> = {}): TemplateLike => ({ name: 't', language: 'pt_BR', body: [], buttons: [], ...over });

describe('catalog parsing', () => {
  test('a Graph API export, a bare list and {"templates"} are catalogs; unknown fields are kept', () => {
    const t = { name: 'a', language: 'pt_BR', components: [{ type: 'BODY', text: 'Oi' }], id: '1', quality_score: { score: 'GREEN' } };
    for (const data of [{ data: [t], paging: {} }, [t], { templates: [t] }]) {
      const [parsed] = parseTemplates(data, 'f.json');
      assert.deepEqual(parsed, t);
    }
  });

  test('a bad entry names the file, the template and the field', () => {
    assert.throws(
      () => parseTemplates({ data: [{ name: 'ok', language: 'pt_BR', components: 'x' }] }, 'f.json'),
      /f\.json: template 'ok' \(pt_BR\): components: components must be a list/,
    );
    assert.throws(() => parseTemplates({ nope: 1 }, 'f.json'), /f\.json: not a templates catalog/);
  });
});

describe('checking a message against its entry', () => {
  const order = entry({
    components: [
      { type: 'HEADER', format: 'DOCUMENT' },
      { type: 'BODY', text: 'Olá {{1}}, pedido {{2}}, {{1}} de novo' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Sim' },
          { type: 'URL', text: 'Ver', url: 'https://x.example/p/{{1}}' },
          { type: 'PHONE_NUMBER', text: 'Ligar', phone_number: '+551199' },
        ],
      },
    ],
  });
  const good = msg({
    header: { type: 'document', url: 'https://x.example/a.pdf' },
    body: ['Ana', '7'],
    buttons: [{ type: 'url', index: 1, text: '7' }],
  });

  test('a message that fits: no problems, the body rendered with a repeated placeholder', () => {
    const r = checkAgainst(good, order);
    assert.deepEqual(r.problems, []);
    assert.equal(r.rendered, 'Olá Ana, pedido 7, Ana de novo');
  });

  test('each kind of mismatch is one problem naming the component', () => {
    const cases: [Partial<TemplateLike>, RegExp][] = [
      [{ body: ['Ana'] }, /BODY expects 2 parameters/],
      [{ header: undefined }, /HEADER is DOCUMENT: give --header-document/],
      [{ header: { type: 'image', url: 'https://x.example/a.jpg' } }, /HEADER is DOCUMENT, got --header-image/],
      [{ buttons: [] }, /button 1 is a URL button ending in \{\{1\}\}/],
      [
        {
          buttons: [
            { type: 'url', index: 1, text: '7' },
            { type: 'url', index: 2, text: 'x' },
          ],
        },
        /button 2 is PHONE_NUMBER "Ligar": --button-url is for a URL button/,
      ],
      [{ body: ['Ana', '   '] }, /BODY parameter \{\{2\}\} is empty/],
      [{ body: ['Ana', 'x'.repeat(1025)] }, /BODY parameter \{\{2\}\} is longer than 1024 characters/],
    ];
    for (const [over, expected] of cases) {
      const r = checkAgainst({ ...good, ...over }, order);
      assert.equal(r.problems.length, 1, `${expected}: ${r.problems.join(' | ')}`);
      assert.match(r.problems[0]!, expected);
      assert.match(r.problems[0]!, /^template 't' \(pt_BR\)/);
    }
  });

  test('statuses: PAUSED, DISABLED, REJECTED refused; PENDING a warning', () => {
    const body = [{ type: 'BODY', text: 'Oi' }];
    for (const status of ['PAUSED', 'DISABLED', 'REJECTED'])
      assert.match(checkAgainst(msg(), entry({ status, components: body })).problems[0]!, new RegExp(`is ${status}`));
    const pending = checkAgainst(msg(), entry({ status: 'PENDING', components: body }));
    assert.deepEqual(pending.problems, []);
    assert.match(pending.warnings[0]!, /is PENDING/);
  });

  test('NAMED: NAME=VALUE for each name, reordered as in the body', () => {
    const named = entry({ parameter_format: 'NAMED', components: [{ type: 'BODY', text: 'Oi {{nome}}, {{loja}}' }] });
    const r = checkAgainst(msg({ body: ['loja=Loja', 'nome=Ana'] }), named);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.body, ['Ana', 'Loja']);
    assert.equal(renderBody(shapeOf(named), r.body, r.bodyNames), 'Oi Ana, Loja');
    assert.match(
      checkAgainst(msg({ body: ['nome=Ana', 'cidade=SP'] }), named).problems[0]!,
      /missing loja; not a parameter of it: 'cidade=SP'/,
    );
  });

  test('text rules: Meta refuses line breaks, tabs and more than 4 spaces in a row', () => {
    assert.equal(textProblem('Olá  João    ok', 1024), undefined);
    assert.match(textProblem('a\nb', 1024)!, /line break/);
    assert.match(textProblem('a\tb', 1024)!, /tab/);
    assert.match(textProblem('a     b', 1024)!, /more than 4 spaces/);
    assert.equal(textProblem('🎉'.repeat(60), 60), undefined, 'counted in characters');
  });
});

describe('lint', () => {
  test('a clean entry has no problems', () => {
    assert.deepEqual(
      lintEntry(
        entry({
          components: [
            { type: 'HEADER', format: 'TEXT', text: 'Pedido {{1}}' },
            { type: 'BODY', text: 'Oi {{1}} {{2}}' },
            { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Ver', url: 'https://x.example/{{1}}' }] },
          ],
        }),
      ),
      [],
    );
  });

  test('gaps, URL placeholders, mixed kinds, footers, unknown types, duplicates', () => {
    const problems = lintCatalog([
      entry({ name: 'gap', components: [{ type: 'BODY', text: '{{1}} {{4}}' }] }),
      entry({
        name: 'url',
        components: [
          { type: 'BODY', text: 'x' },
          {
            type: 'BUTTONS',
            buttons: [
              { type: 'URL', text: 'a', url: 'https://x/{{2}}' },
              { type: 'CALL_ME', text: 'b' },
            ],
          },
        ],
      }),
      entry({
        name: 'named',
        components: [
          { type: 'BODY', text: 'Oi {{nome}}' },
          { type: 'FOOTER', text: '{{1}}' },
        ],
      }),
      entry({ name: 'named', components: [{ type: 'BODY', text: 'Oi' }] }),
      entry({ name: 'nobody', components: [{ type: 'HEADER', format: 'GIF' }] }),
    ]);
    const expected = [
      /'gap' \(pt_BR\): BODY: placeholder gap: \{\{2\}\}, \{\{3\}\} missing/,
      /'url' \(pt_BR\): BUTTONS button 0: a URL takes one placeholder, \{\{1\}\}, got \{\{2\}\}/,
      /'url' \(pt_BR\): BUTTONS button 1: unknown type 'CALL_ME'/,
      /'named' \(pt_BR\): FOOTER: placeholders are not allowed/,
      /'named' \(pt_BR\): has named placeholders \(\{\{nome\}\}\) but parameter_format is not set/,
      /'nobody' \(pt_BR\): HEADER: unknown format 'GIF'/,
      /'nobody' \(pt_BR\): has no BODY component/,
      /'named' \(pt_BR\): appears more than once/,
    ];
    for (const e of expected)
      assert.ok(
        problems.some((p) => e.test(p)),
        `${e}\n${problems.join('\n')}`,
      );
    assert.equal(problems.length, expected.length, problems.join('\n'));
  });
});
