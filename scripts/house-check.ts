// The house's goals, measured: no file over 300 lines and no function over 60 in src/, and no import
// that runs back up (git/ never imports github/, agents/ never imports config/, ...) or in a circle.
// Run with `npm run house` (after a build); it exits non-zero when a goal is missed.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');
const MAX_FILE = 300;
const MAX_FUNCTION = 60;
// Rooms from the ground up: a room may import only rooms below it (and itself).
const FLOORS = [
  ['errors', 'logger', 'keys', 'job'],
  ['security'],
  ['git'],
  ['sandbox'],
  ['agents'],
  ['config'],
  ['access'],
  ['report', 'sessions', 'queue'],
  ['github'],
  ['triggers'],
  ['jobs'],
  ['metrics'],
  ['runtime'],
  ['index', 'main', 'root-webhook-handler'],
];
const floorOf = (room: string): number => FLOORS.findIndex((f) => f.includes(room));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const roomOf = (file: string): string => relative(SRC, file).split('/')[0]?.replace(/\.ts$/, '') ?? '';
const problems: string[] = [];
const graph = new Map<string, string[]>();

for (const file of files(SRC)) {
  const text = readFileSync(file, 'utf8');
  const name = relative(ROOT, file);
  const lines = text.split('\n').length - 1;
  if (lines > MAX_FILE) problems.push(`${name}: ${lines} lines (at most ${MAX_FILE})`);
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const imports: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isConstructorDeclaration(node)) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (end - start + 1 > MAX_FUNCTION) problems.push(`${name}:${start + 1}: a function of ${end - start + 1} lines (at most ${MAX_FUNCTION})`);
    }
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text.startsWith('.')) {
      imports.push(resolve(dirname(file), node.moduleSpecifier.text.replace(/\.js$/, '.ts')));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  graph.set(file, imports);
  for (const target of imports) {
    const from = roomOf(file);
    const to = roomOf(target);
    if (from !== to && floorOf(to) > floorOf(from)) problems.push(`${name}: imports ${relative(ROOT, target)}, a room above it (${from} → ${to})`);
  }
}

// Circles between files.
const state = new Map<string, 'open' | 'done'>();
const stack: string[] = [];
const walk = (file: string): void => {
  state.set(file, 'open');
  stack.push(file);
  for (const next of graph.get(file) ?? []) {
    if (state.get(next) === 'open') problems.push(`import circle: ${[...stack.slice(stack.indexOf(next)), next].map((f) => relative(ROOT, f)).join(' → ')}`);
    else if (!state.has(next) && graph.has(next)) walk(next);
  }
  stack.pop();
  state.set(file, 'done');
};
for (const file of graph.keys()) if (!state.has(file)) walk(file);

for (const p of problems) console.log(p);
console.log(problems.length === 0 ? 'the house holds: file and function sizes, imports downward only, no circle' : `${problems.length} problem(s)`);
process.exitCode = problems.length === 0 ? 0 : 1;
