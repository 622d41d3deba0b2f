/**
 * The change a reviewer would apply to an environment file, computed on its text (this tool never
 * writes files). The file is parsed (Babel's TypeScript parser) and only the literal tokens that hold
 * the planned numbers are replaced, so the rest keeps its formatting and comments. A value may sit in
 * the section's own object literal, behind a shared constant, or in an object spread into the section:
 * the literal that actually holds it is edited, unless other sections share it with another value.
 */
import { parse } from '@babel/parser';
import { createTwoFilesPatch } from 'diff';

export interface SectionChanges {
  minReplicas?: number;
  maxReplicas?: number;
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
}

/** The fields the planner sets, as paths into a section's object. */
const FIELDS = [
  ['minReplicas'],
  ['maxReplicas'],
  ['requests', 'cpu'],
  ['requests', 'memory'],
  ['limits', 'cpu'],
  ['limits', 'memory'],
] as const;
type FieldPath = (typeof FIELDS)[number];

// The parts of Babel's AST this file reads; typed loosely so it does not depend on @babel/types.
interface AstNode {
  type: string;
  start: number;
  end: number;
  loc: { start: { line: number } };
  [key: string]: unknown;
}

/** Where a field's value is written, and who reads it from there. */
interface Holder {
  literal: AstNode;
  readers: { section: string; field: string; newValue: string | number | undefined }[];
}

/** `source` with the planned values written in; throws one error listing everything it could not edit. */
export function editEnvironmentSource(source: string, file: string, changes: Record<string, SectionChanges>): string {
  const program = parse(source, { sourceType: 'module', plugins: ['typescript'] }).program as unknown as AstNode;
  const constants = moduleConstants(program);
  const sections = sectionsObject(program, constants, file);
  const problems: string[] = [];
  const holders = new Map<number, Holder>();
  for (const section of propertyNames(sections, constants)) {
    const sectionObject = lookup(sections, section, constants);
    for (const path of FIELDS) {
      const field = `${section}.${path.join('.')}`;
      const newValue = plannedValue(changes[section], path);
      const literal = sectionObject && followPath(sectionObject, path, constants);
      if (!literal || !isLiteral(literal)) {
        if (newValue !== undefined) problems.push(`${field} is not written as a literal the tool can find`);
        continue;
      }
      const holder = holders.get(literal.start) ?? { literal, readers: [] };
      holder.readers.push({ section, field, newValue });
      holders.set(literal.start, holder);
    }
  }
  for (const section of Object.keys(changes)) {
    if (!lookup(sections, section, constants)) problems.push(`no section ${section} in the sections object`);
  }
  const edits = [...holders.values()].flatMap((holder) => editFor(holder, source, file, problems));
  if (problems.length > 0) throw new Error(`${file}: ${problems.join('; ')}`);
  return applyEdits(source, edits);
}

/** A unified diff that `git apply` accepts; empty when nothing changed. */
export function unifiedDiff(before: string, after: string, file: string): string {
  if (before === after) return '';
  const patch = createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, { context: 2 });
  // jsdiff starts with an "Index:"-style separator line that is not part of a git patch.
  return patch.slice(patch.indexOf('--- '));
}

function plannedValue(changes: SectionChanges | undefined, path: FieldPath): string | number | undefined {
  if (!changes) return undefined;
  if (path.length === 1) return changes[path[0]];
  return changes[path[0]]?.[path[1]];
}

/** The replacement for one literal, or a problem when its readers want different values. */
function editFor(holder: Holder, source: string, file: string, problems: string[]): { start: number; end: number; text: string }[] {
  const wanted = new Set(holder.readers.map((reader) => reader.newValue).filter((value) => value !== undefined));
  if (wanted.size === 0) return [];
  const unplanned = holder.readers.filter((reader) => reader.newValue === undefined).map((reader) => reader.field);
  if (wanted.size > 1 || unplanned.length > 0) {
    const values = holder.readers.map((r) => `${r.field} ${r.newValue === undefined ? 'unchanged' : JSON.stringify(r.newValue)}`);
    problems.push(
      `line ${holder.literal.loc.start.line} (${source.slice(holder.literal.start, holder.literal.end)}) is shared, and the plan gives its ` +
        `readers different values (${values.join(', ')}): give those sections their own values in ${file}, then re-run`,
    );
    return [];
  }
  const [value] = [...wanted] as [string | number];
  const current = holder.literal.value;
  if (current === value || String(current) === String(value)) return [];
  return [{ start: holder.literal.start, end: holder.literal.end, text: literalText(holder.literal, source, value) }];
}

function literalText(literal: AstNode, source: string, value: string | number): string {
  if (typeof value === 'number') return String(value);
  const quote = source[literal.start] === '"' ? '"' : "'";
  return `${quote}${value}${quote}`;
}

function applyEdits(source: string, edits: { start: number; end: number; text: string }[]): string {
  let text = source;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  return text;
}

/** Top-level `const` bindings (exported or not) by name. */
function moduleConstants(program: AstNode): Map<string, AstNode> {
  const constants = new Map<string, AstNode>();
  for (const statement of program.body as AstNode[]) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? (statement.declaration as AstNode | null) : statement;
    if (declaration?.type !== 'VariableDeclaration' || declaration.kind !== 'const') continue;
    for (const declarator of declaration.declarations as AstNode[]) {
      const id = declarator.id as AstNode;
      if (id.type === 'Identifier' && declarator.init) constants.set(id.name as string, declarator.init as AstNode);
    }
  }
  return constants;
}

/** The `sections` object of the one exported environment object in the file. */
function sectionsObject(program: AstNode, constants: Map<string, AstNode>, file: string): AstNode {
  const found: AstNode[] = [];
  for (const statement of program.body as AstNode[]) {
    if (statement.type !== 'ExportNamedDeclaration') continue;
    const declaration = statement.declaration as AstNode | null;
    if (declaration?.type !== 'VariableDeclaration') continue;
    for (const declarator of declaration.declarations as AstNode[]) {
      const init = declarator.init ? resolve(declarator.init as AstNode, constants) : undefined;
      const sections = init?.type === 'ObjectExpression' ? lookup(init, 'sections', constants) : undefined;
      if (sections) found.push(sections);
    }
  }
  if (found.length !== 1)
    throw new Error(`${file}: expected one exported environment object with a \`sections\` object, found ${found.length}`);
  return found[0]!;
}

/** Follows identifiers to their constant and unwraps `as` / `satisfies` / non-null wrappers. */
function resolve(node: AstNode, constants: Map<string, AstNode>, seen = new Set<string>()): AstNode {
  if (['TSAsExpression', 'TSSatisfiesExpression', 'TSNonNullExpression', 'ParenthesizedExpression'].includes(node.type)) {
    return resolve(node.expression as AstNode, constants, seen);
  }
  if (node.type === 'Identifier' && constants.has(node.name as string) && !seen.has(node.name as string)) {
    seen.add(node.name as string);
    return resolve(constants.get(node.name as string)!, constants, seen);
  }
  return node;
}

/** The value an object literal gives `key`, as JavaScript would: the last own property or spread wins. */
function lookup(object: AstNode, key: string, constants: Map<string, AstNode>): AstNode | undefined {
  if (object.type !== 'ObjectExpression') return undefined;
  const properties = object.properties as AstNode[];
  for (let i = properties.length - 1; i >= 0; i -= 1) {
    const property = properties[i]!;
    if (property.type === 'ObjectProperty' && keyName(property) === key) return resolve(property.value as AstNode, constants);
    if (property.type === 'SpreadElement') {
      const spread = resolve(property.argument as AstNode, constants);
      const value = lookup(spread, key, constants);
      if (value) return value;
    }
  }
  return undefined;
}

/** Every key an object literal ends up with, own properties and spread ones. */
function propertyNames(object: AstNode, constants: Map<string, AstNode>): string[] {
  const names = new Set<string>();
  for (const property of object.properties as AstNode[]) {
    if (property.type === 'ObjectProperty') names.add(keyName(property) ?? '');
    if (property.type === 'SpreadElement') {
      const spread = resolve(property.argument as AstNode, constants);
      if (spread.type === 'ObjectExpression') for (const name of propertyNames(spread, constants)) names.add(name);
    }
  }
  names.delete('');
  return [...names];
}

function followPath(object: AstNode, path: readonly string[], constants: Map<string, AstNode>): AstNode | undefined {
  let node: AstNode | undefined = object;
  for (const key of path) node = node && lookup(node, key, constants);
  return node;
}

function keyName(property: AstNode): string | undefined {
  const key = property.key as AstNode;
  if (property.computed) return undefined;
  if (key.type === 'Identifier') return key.name as string;
  if (key.type === 'StringLiteral') return key.value as string;
  return undefined;
}

function isLiteral(node: AstNode): boolean {
  return node.type === 'StringLiteral' || node.type === 'NumericLiteral';
}
