import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

/**
 * Every user-visible string of the UI comes from the message catalogues. This walks the TypeScript
 * AST of web/src/pages, components and app (tests aside) and fails on English a reader would see that
 * is not a t(…) call: JSX text, and string literals or templates given to the attributes that reach
 * the screen or a screen reader (title, placeholder, aria-label, alt, label, …) or rendered as a JSX
 * expression. Texts that are the same in every language (a product name, symbols, language names shown
 * in their own language) are on the allow-list below, each with its reason.
 */
const webSrc = new URL('../..', import.meta.url).pathname;
const roots = ['pages', 'components', 'app'].map((d) => join(webSrc, d));

/** Attributes whose value a person reads or hears. */
const visibleAttributes = new Set([
  'title',
  'placeholder',
  'aria-label',
  'aria-description',
  'aria-roledescription',
  'aria-valuetext',
  'alt',
  'label',
  'heading',
  'description',
  'confirmLabel',
  'emptyText',
]);

/** Texts that read the same in every language. */
const sameInEveryLanguage = new Set([
  'Trellis', // the product's name
  'English', // a language offered by its own name
  'Deutsch',
  'CSV',
  'XLSX',
  'JSON',
  'PNG',
  'PDF',
  'SVG',
  'Parquet',
  'ID',
  'URL',
  'Ctrl',
  'Esc',
  'Enter',
  'Tab',
  'https://', // a URL field's placeholder
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    if (!/\.tsx?$/.test(e.name) || /\.test\.tsx?$/.test(e.name) || e.name.endsWith('.d.ts')) return [];
    // The catalogues themselves are where the English lives.
    if (path.includes(`${join('i18n', 'messages')}`)) return [];
    return [path];
  });
}

/** Text a reader would take for words: at least two letters in a row, not only a symbol or number. */
function isWords(text: string): boolean {
  const trimmed = text.replace(/\s+/g, ' ').trim();
  if (!/[A-Za-zÄÖÜäöüß]{2,}/.test(trimmed)) return false;
  return !sameInEveryLanguage.has(trimmed);
}

function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node))
    return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
  return undefined;
}

const RENDERING_OPERATORS = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.AmpersandAmpersandToken,
  ts.SyntaxKind.BarBarToken,
  ts.SyntaxKind.QuestionQuestionToken,
  ts.SyntaxKind.PlusToken,
]);

/** Literals a JSX expression renders as they are: `{'text'}`, `{a ? 'x' : 'y'}`, `{a && 'x'}`. */
function renderedLiterals(node: ts.Expression): ts.Node[] {
  if (literalText(node) !== undefined) return [node];
  if (ts.isParenthesizedExpression(node)) return renderedLiterals(node.expression);
  if (ts.isConditionalExpression(node))
    return [...renderedLiterals(node.whenTrue), ...renderedLiterals(node.whenFalse)];
  // `a && 'x'`, `a ?? 'x'`, `'x' + a` render their literals; comparisons (`a === 'text'`) do not.
  if (ts.isBinaryExpression(node) && RENDERING_OPERATORS.has(node.operatorToken.kind))
    return [...renderedLiterals(node.left), ...renderedLiterals(node.right)];
  return [];
}

export function untranslated(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const report = (node: ts.Node, what: string) => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
    found.push(`${relative(webSrc, path)}:${line + 1} ${what}`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node) && isWords(node.text)) report(node, JSON.stringify(node.text.trim()));
    if (ts.isJsxAttribute(node) && node.initializer && visibleAttributes.has(node.name.getText(file))) {
      const init = node.initializer;
      const values = ts.isJsxExpression(init) && init.expression ? renderedLiterals(init.expression) : [init];
      for (const v of values) {
        const s = literalText(v);
        if (s !== undefined && isWords(s)) report(v, `${node.name.getText(file)}=${JSON.stringify(s)}`);
      }
    }
    if (ts.isJsxExpression(node) && node.expression && !ts.isJsxAttribute(node.parent)) {
      for (const v of renderedLiterals(node.expression)) {
        const s = literalText(v);
        if (s !== undefined && isWords(s)) report(v, `{${JSON.stringify(s)}}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('UI strings come from the message catalogues', () => {
  test('the scanner finds JSX text, visible attributes and rendered literals (and not t() calls)', () => {
    const probe = join(webSrc, 'app', 'i18n', '__probe__.tsx');
    const file = ts.createSourceFile(
      probe,
      `const A = () => <p title="Open it" aria-label={t('x.y')}>Hello there {ok ? 'Yes please' : t('no')} {t('k')} Trellis</p>;`,
      ts.ScriptTarget.Latest,
      true,
      ts.ScriptKind.TSX,
    );
    expect(file.statements.length).toBe(1);
    // The same walk, on text instead of a path.
    const words: string[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isJsxText(n) && isWords(n.text)) words.push(n.text.trim());
      ts.forEachChild(n, visit);
    };
    visit(file);
    expect(words).toEqual(['Hello there']);
    expect(isWords('Trellis')).toBe(false);
    expect(isWords('·')).toBe(false);
    expect(isWords('Open it')).toBe(true);
  });

  test('no English text outside the catalogues in pages, components and app', () => {
    const files = roots.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap(untranslated)).toEqual([]);
  });
});
