#!/usr/bin/env node
// Installs the dev toolchain when it is missing or older than package-lock.json, so that
// `npm start` and `npm test` work on a fresh clone with nothing installed beforehand.
'use strict';
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lock = path.join(root, 'package-lock.json');
const marker = path.join(root, 'node_modules', '.package-lock.json');

function stale() {
	if (!fs.existsSync(marker)) return true;
	return fs.statSync(lock).mtimeMs > fs.statSync(marker).mtimeMs + 1000;
}

if (stale()) {
	console.log('[ensure-deps] installing dev dependencies (npm ci)…');
	execSync('npm ci', { cwd: root, stdio: 'inherit' });
}
