'use strict';
/**
 * What the package would ship that n8n never runs. Starting from the classes n8n loads (the node and
 * credential files listed in package.json's `n8n` section), follows every reference the TypeScript
 * checker resolves, one top-level statement at a time, and returns:
 *  - `statements`: top-level declarations with runtime code (functions, classes, variables) that no
 *    path from an n8n entry class reaches: code kept only for tests, or dead code;
 *  - `modules`: source files that no entry file imports, directly or through others (`import type`
 *    does not count: it is erased);
 *  - `stale`: built `.js` files under dist/ without a TypeScript source (output of a deleted file).
 * Runs on the sources that `tsc` compiles one to one into dist/, so the answer holds for dist/.
 */
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

function walk(dir, ending) {
	if (!fs.existsSync(dir)) return [];
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return walk(full, ending);
		return entry.name.endsWith(ending) ? [full] : [];
	});
}

/** The statement directly under the source file that holds `node`. */
function topLevel(node) {
	let current = node;
	while (current.parent && !ts.isSourceFile(current.parent)) current = current.parent;
	return ts.isSourceFile(current.parent ?? current) ? current : undefined;
}

const hasCode = (statement) =>
	ts.isFunctionDeclaration(statement) ||
	ts.isClassDeclaration(statement) ||
	ts.isVariableStatement(statement) ||
	ts.isEnumDeclaration(statement);

function isTypeOnlyImport(statement) {
	if (ts.isImportDeclaration(statement)) {
		const clause = statement.importClause;
		if (!clause) return false;
		if (clause.isTypeOnly) return true;
		const bindings = clause.namedBindings;
		return !clause.name && !!bindings && ts.isNamedImports(bindings) && bindings.elements.every((e) => e.isTypeOnly);
	}
	if (ts.isExportDeclaration(statement)) return statement.isTypeOnly;
	return false;
}

/** `Base` in `class X extends Base`: a value, although the syntax is a type node. */
const isClassExtends = (node) =>
	ts.isExpressionWithTypeArguments(node) &&
	ts.isHeritageClause(node.parent) &&
	node.parent.token === ts.SyntaxKind.ExtendsKeyword &&
	ts.isClassLike(node.parent.parent);

function describe(statement, root) {
	const file = path.relative(root, statement.getSourceFile().fileName);
	const { line } = statement.getSourceFile().getLineAndCharacterOfPosition(statement.getStart());
	let name = statement.name?.text;
	if (ts.isVariableStatement(statement)) {
		name = statement.declarationList.declarations.map((d) => d.name.getText()).join(', ');
	}
	return `${file}:${line + 1} ${name ?? statement.getText().slice(0, 40)}`;
}

/**
 * @param {string} root the package folder
 * @param {string[]} sourceDirs folders of sources compiled into dist/ (relative to root)
 * @param {string[]} entries the dist/ paths package.json lists under `n8n`
 */
function unreachableCode(root, sourceDirs, entries) {
	const sources = sourceDirs.flatMap((dir) => walk(path.join(root, dir), '.ts')).filter((f) => !f.endsWith('.d.ts'));
	const sourceOf = (distPath) => path.join(root, distPath.replace(/^(\.\/)?dist\//, '').replace(/\.js$/, '.ts'));
	const stale = sourceDirs
		.flatMap((dir) => walk(path.join(root, 'dist', dir), '.js'))
		.filter((built) => !fs.existsSync(sourceOf(path.relative(root, built))))
		.map((built) => path.relative(root, built));

	const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
	const program = ts.createProgram(sources, { ...(config?.options ?? {}), noEmit: true, incremental: false });
	const checker = program.getTypeChecker();
	const ours = new Set(sources.map((f) => path.resolve(f)));
	const isOurs = (file) => ours.has(path.resolve(file.fileName));

	const reached = new Set();
	const queue = [];
	const reach = (statement) => {
		if (statement && !reached.has(statement)) {
			reached.add(statement);
			queue.push(statement);
		}
	};
	const reachSymbol = (symbol) => {
		if (!symbol) return;
		let target = symbol;
		if (target.flags & ts.SymbolFlags.Alias) target = checker.getAliasedSymbol(target);
		for (const declaration of target.declarations ?? []) {
			if (ts.isSourceFile(declaration)) {
				// A namespace import (`import * as x`) used as a value: every export of that module.
				if (isOurs(declaration)) for (const exported of checker.getExportsOfModule(target)) reachSymbol(exported);
				continue;
			}
			if (isOurs(declaration.getSourceFile())) reach(topLevel(declaration));
		}
	};

	const entryFiles = entries.map((entry) => path.resolve(sourceOf(entry)));
	for (const file of entryFiles) {
		const sourceFile = program.getSourceFile(file);
		if (!sourceFile) throw new Error(`${path.relative(root, file)} (listed in package.json) has no source`);
		const moduleSymbol = checker.getSymbolAtLocation(sourceFile);
		for (const exported of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) reachSymbol(exported);
	}

	while (queue.length) {
		const statement = queue.pop();
		const visit = (node) => {
			// Types are erased: what only a type annotation names is not run.
			if (ts.isTypeNode(node) && !isClassExtends(node)) return;
			if (ts.isIdentifier(node)) {
				const parent = node.parent;
				if (parent && ts.isShorthandPropertyAssignment(parent) && parent.name === node) {
					reachSymbol(checker.getShorthandAssignmentValueSymbol(parent));
				} else reachSymbol(checker.getSymbolAtLocation(node));
			}
			ts.forEachChild(node, visit);
		};
		visit(statement);
	}

	// Modules: the import closure of the entry files, runtime imports only.
	const imported = new Set(entryFiles);
	const pending = [...entryFiles];
	while (pending.length) {
		const sourceFile = program.getSourceFile(pending.pop());
		for (const statement of sourceFile?.statements ?? []) {
			if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier) continue;
			if (isTypeOnlyImport(statement)) continue;
			const resolved = ts.resolveModuleName(statement.moduleSpecifier.text, sourceFile.fileName, program.getCompilerOptions(), ts.sys).resolvedModule;
			const target = resolved && path.resolve(resolved.resolvedFileName);
			if (target && ours.has(target) && !imported.has(target)) {
				imported.add(target);
				pending.push(target);
			}
		}
	}

	const statements = [];
	const modules = [];
	for (const file of sources) {
		const sourceFile = program.getSourceFile(file);
		const withCode = sourceFile.statements.filter(hasCode);
		if (withCode.length && !imported.has(path.resolve(file))) modules.push(path.relative(root, file));
		for (const statement of withCode) if (!reached.has(statement)) statements.push(describe(statement, root));
	}
	return { statements, modules, stale };
}

module.exports = { unreachableCode };
