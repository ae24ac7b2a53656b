// Every text a person reads comes from the catalogues: no letters written straight into JSX, nor into the attributes people read.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../renderer/src');
const READ_ATTRS = new Set(['title', 'aria-label', 'aria-description', 'aria-valuetext', 'aria-roledescription', 'placeholder', 'alt', 'label']);
const WORDS = /\p{L}{2,}/u;

function tsxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsxFiles(p) : n.endsWith('.tsx') ? [p] : [];
  });
}

/** Literal text a person would read in a .tsx file: "file:line: text". */
export function literalTexts(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const out: string[] = [];
  const report = (node: ts.Node, text: string) => {
    if (WORDS.test(text)) out.push(`${relative(SRC, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${text.trim().slice(0, 60)}`);
  };
  const literal = (e: ts.Node | undefined): string | null =>
    e && (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) ? e.text : e && ts.isTemplateExpression(e) ? e.head.text + e.templateSpans.map((s) => s.literal.text).join(' ') : null;
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node)) report(node, node.text);
    else if (ts.isJsxExpression(node) && ts.isJsxElement(node.parent)) {
      const text = literal(node.expression);
      if (text !== null) report(node, text);
    } else if (ts.isJsxAttribute(node) && READ_ATTRS.has(node.name.getText(sf))) {
      const init = node.initializer;
      const text = init && ts.isStringLiteral(init) ? init.text : literal(init && ts.isJsxExpression(init) ? init.expression : undefined);
      if (text !== null) report(node, text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe('renderer text', () => {
  it('finds what it should', () => {
    const found = literalTexts('x.tsx', `const a = <p title="Hello there">Save now {'or later'} {t('ok')} ● 12 <b aria-label={\`Tile \${n}\`} /></p>;`);
    expect(found.map((s) => s.replace(/^.*x\.tsx:1: /, ''))).toEqual(['Hello there', 'Save now', 'or later', 'Tile']);
  });

  it('no JSX text literal outside the catalogues', () => {
    const found = tsxFiles(SRC).flatMap((f) => literalTexts(f, readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });
});
