'use strict';
// The platform n8n talks to during e2e: the project's sandbox (sandbox/index.js) when it exists,
// otherwise the small stub in this folder. Both resolve {url, tokens, stop(), ...}.

const fs = require('node:fs');
const path = require('node:path');
const { repoRoot } = require('./package');
const { freePorts } = require('./ports');
const { startStubPlatform } = require('./stub-platform');

function sandboxAvailable() {
	return fs.existsSync(path.join(repoRoot, 'sandbox', 'index.js'));
}

/**
 * Starts a platform on free ports (or the given ones). Options are passed to startSandbox
 * (seed, port, storagePort, ...). Resolves the sandbox handle plus `kind: 'sandbox' | 'stub'`.
 */
async function startPlatform(options = {}) {
	if (!sandboxAvailable() || process.env.E2E_PLATFORM === 'stub') {
		const stub = await startStubPlatform(options);
		return { ...stub, kind: 'stub', facts: {} };
	}
	const { startSandbox } = require(path.join(repoRoot, 'sandbox', 'index.js'));
	const [port, storagePort] = await freePorts(2);
	const sandbox = await startSandbox({ port, storagePort, ...options });
	return { ...sandbox, kind: 'sandbox' };
}

module.exports = { startPlatform, sandboxAvailable };
