/**
 * Turns `cdk8s import` output into TypeScript that Node 24 runs as it is (type stripping): the generator
 * writes `export enum` and constructor parameter properties (neither is erasable) and imports interfaces
 * as values (`import { ApiObjectMetadata }`, which an ES module cannot import from cdk8s at run time). Edits are made on the parsed source (Babel's
 * TypeScript parser), token by token, so everything else stays as generated.
 */
import { parse } from '@babel/parser';

interface AstNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Keys of an AST node whose subtree is a type, never a run-time value. */
const TYPE_KEYS = new Set(['typeAnnotation', 'returnType', 'typeParameters', 'superTypeParameters', 'typeArguments', 'implements']);
const TYPE_NODES = new Set(['TSInterfaceDeclaration', 'TSTypeAliasDeclaration', 'TSDeclareFunction']);

export function makeErasable(source: string, file: string): string {
  const program = parse(source, { sourceType: 'module', plugins: ['typescript'] }).program as unknown as AstNode;
  const statements = program.body as AstNode[];
  const edits = [
    ...statements.flatMap((statement) => enumEdits(statement, source, file)),
    ...statements.flatMap((statement) => parameterPropertyEdits(statement, source)),
    ...typeOnlyImportEdits(program),
  ];
  let text = source;
  for (const edit of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  return text;
}

/** `export enum X { A = 'a' }` becomes `export const X = { A: 'a' } as const;` plus `export type X = ...`. */
function enumEdits(statement: AstNode, source: string, file: string): Edit[] {
  const declaration = statement.type === 'ExportNamedDeclaration' ? (statement.declaration as AstNode | null) : statement;
  if (declaration?.type !== 'TSEnumDeclaration') return [];
  const name = (declaration.id as AstNode).name as string;
  const members = ((declaration.body as AstNode | undefined)?.members ?? declaration.members) as AstNode[];
  const edits: Edit[] = [{ start: declaration.start, end: (declaration.id as AstNode).end, text: `const ${name} =` }];
  for (const member of members) {
    const initializer = member.initializer as AstNode | undefined;
    if (!initializer) throw new Error(`${file}: enum ${name} member at offset ${member.start} has no value`);
    edits.push({ start: (member.id as AstNode).end, end: initializer.start, text: ': ' });
  }
  if (!source.slice(declaration.start, declaration.end).endsWith('}')) throw new Error(`${file}: enum ${name} does not end with }`);
  edits.push({
    start: declaration.end,
    end: declaration.end,
    text: ` as const;\nexport type ${name} = (typeof ${name})[keyof typeof ${name}];`,
  });
  return edits;
}

/**
 * `constructor(public readonly value: T) {}` becomes a field `public readonly value: T;` declared before
 * the constructor, a plain parameter, and `this.value = value;` as the constructor's first statement.
 */
function parameterPropertyEdits(statement: AstNode, source: string): Edit[] {
  const declaration = statement.type === 'ExportNamedDeclaration' ? (statement.declaration as AstNode | null) : statement;
  if (declaration?.type !== 'ClassDeclaration') return [];
  const edits: Edit[] = [];
  for (const member of (declaration.body as AstNode).body as AstNode[]) {
    if (member.type !== 'ClassMethod' || member.kind !== 'constructor') continue;
    const properties = (member.params as AstNode[]).filter((param) => param.type === 'TSParameterProperty');
    if (properties.length === 0) continue;
    const indent = /[ \t]*$/.exec(source.slice(0, member.start))![0];
    const fields: string[] = [];
    const assignments: string[] = [];
    for (const property of properties) {
      const parameter = property.parameter as AstNode;
      const name = (parameter.type === 'AssignmentPattern' ? (parameter.left as AstNode) : parameter).name as string;
      const modifiers = [property.accessibility, property.readonly ? 'readonly' : undefined].filter(Boolean).join(' ');
      const typed = source.slice(parameter.start, parameter.type === 'AssignmentPattern' ? (parameter.left as AstNode).end : parameter.end);
      fields.push(`${modifiers} ${typed};\n${indent}`);
      assignments.push(`this.${name} = ${name};`);
      edits.push({ start: property.start, end: parameter.start, text: '' });
    }
    edits.push({ start: member.start, end: member.start, text: fields.join('') });
    const body = member.body as AstNode;
    edits.push({ start: body.start + 1, end: body.start + 1, text: `\n${indent}  ${assignments.join(`\n${indent}  `)}` });
  }
  return edits;
}

/** Marks imported names that the file only uses as types with `type`. */
function typeOnlyImportEdits(program: AstNode): Edit[] {
  const valueNames = new Set<string>();
  collectValueIdentifiers(program, false, valueNames);
  const edits: Edit[] = [];
  for (const statement of program.body as AstNode[]) {
    if (statement.type !== 'ImportDeclaration' || statement.importKind === 'type') continue;
    for (const specifier of statement.specifiers as AstNode[]) {
      if (specifier.type !== 'ImportSpecifier' || specifier.importKind === 'type') continue;
      const local = (specifier.local as AstNode).name as string;
      if (!valueNames.has(local)) edits.push({ start: specifier.start, end: specifier.start, text: 'type ' });
    }
  }
  return edits;
}

function collectValueIdentifiers(node: unknown, inType: boolean, names: Set<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) collectValueIdentifiers(child, inType, names);
    return;
  }
  if (!node || typeof node !== 'object' || typeof (node as AstNode).type !== 'string') return;
  const ast = node as AstNode;
  if (ast.type === 'ImportDeclaration') return;
  if (ast.type === 'Identifier' && !inType) names.add(ast.name as string);
  const typeNode = inType || TYPE_NODES.has(ast.type);
  for (const [key, child] of Object.entries(ast)) {
    if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments' || key === 'innerComments') continue;
    collectValueIdentifiers(child, typeNode || TYPE_KEYS.has(key), names);
  }
}
