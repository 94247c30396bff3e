#!/usr/bin/env node
// Checks what `npm pack` would publish: only dist/, README, LICENSE, CHANGELOG and package.json, every
// file the n8n section lists, and no runtime dependencies (n8n community package rules).
'use strict';
const { execSync } = require('node:child_process');
const path = require('node:path');

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

if (problems.length) {
	console.error(`check-pack: ${problems.length} problem(s):\n - ${problems.join('\n - ')}`);
	process.exit(1);
}
console.log(`check-pack: ${files.length} files, ${(report.size / 1024).toFixed(1)} kB packed, only dist/ + docs, no dependencies`);
