#!/usr/bin/env node
// Checks what `npm pack` would publish: only dist/, README, LICENSE, CHANGELOG and package.json, every
// file the n8n section lists, no runtime dependencies (n8n community package rules), and nothing in
// dist/ that n8n never runs.
//
// The last rule is reachability, not a list: starting from the classes n8n loads (the files under
// package.json's "n8n"), every top-level function, class and variable compiled into dist/ must be
// reached through the references the TypeScript checker resolves (scripts/lib/unreachable-code.js).
// A rule such as "every export is imported by another module" would let test-only code through
// as soon as two pieces of it use each other (allDocuments used everyCombination), and a deny-list
// only catches the names someone already thought of. What the tests need and n8n does not goes to
// test/helpers/.
'use strict';
const { execSync } = require('node:child_process');
const path = require('node:path');

const { unreachableCode } = require('./lib/unreachable-code');

const root = path.resolve(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));
const problems = [];

if (pkg.dependencies && Object.keys(pkg.dependencies).length) {
	problems.push(`runtime dependencies are not allowed: ${Object.keys(pkg.dependencies).join(', ')}`);
}
const peers = Object.keys(pkg.peerDependencies || {});
if (peers.length !== 1 || peers[0] !== 'n8n-workflow') {
	problems.push(`peerDependencies must be exactly n8n-workflow, got ${peers.join(', ')}`);
}

const [report] = JSON.parse(execSync('npm pack --dry-run --json', { cwd: root, encoding: 'utf8' }));
const files = report.files.map((f) => f.path);
const allowed = /^(dist\/|README\.md$|LICENSE$|CHANGELOG\.md$|package\.json$)/;
for (const file of files) if (!allowed.test(file)) problems.push(`unexpected file in the package: ${file}`);
for (const listed of [...pkg.n8n.credentials, ...pkg.n8n.nodes]) {
	if (!files.includes(listed)) problems.push(`${listed} is listed in package.json "n8n" but not packed (run npm run build)`);
}
if (files.some((f) => /\.test\.|\/test\//.test(f))) problems.push('tests are packed');

const unreachable = unreachableCode(root, ['nodes', 'credentials'], [...pkg.n8n.credentials, ...pkg.n8n.nodes]);
for (const statement of unreachable.statements) {
	problems.push(`${statement}: packed in dist/ but no node or credential class reaches it (test-only code belongs in test/helpers/; dead code goes)`);
}
for (const module of unreachable.modules) {
	problems.push(`${module}: packed in dist/ but no node or credential file imports it`);
}
for (const stale of unreachable.stale) problems.push(`${stale}: built from a source that no longer exists (run npm run build)`);

if (problems.length) {
	console.error(`check-pack: ${problems.length} problem(s):\n - ${problems.join('\n - ')}`);
	process.exit(1);
}
console.log(
	`check-pack: ${files.length} files, ${(report.size / 1024).toFixed(1)} kB packed, only dist/ + docs, no dependencies, all code reachable from the node and credential classes`,
);
