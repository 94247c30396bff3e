#!/usr/bin/env node
'use strict';
/**
 * `npm run sandbox`: starts the sandbox on fixed ports and prints its URLs and demo tokens.
 * Env: SANDBOX_PORT (8787), SANDBOX_STORAGE_PORT (8788), SANDBOX_SEED ('sandbox'),
 * SANDBOX_SIZE (2000 dossiers), SANDBOX_THROTTLE_LIMIT (400), SANDBOX_FORK_MODE, SANDBOX_WEBHOOKS_V2 (1/true),
 * SANDBOX_ANSWER_DELAY_MS (0; a benchmark knob: GraphQL answers no sooner than this after the request).
 */
const { spawn } = require('child_process');

// graphql-js skips its costly development-mode checks in production mode.
if (!process.env.NODE_ENV) process.env.NODE_ENV = 'production';

const SEMI_SPACE_FLAG = '--max-semi-space-size=64';

/**
 * Serving pages allocates a lot of short-lived objects: a larger young generation cuts GC time
 * by about a third. V8 takes it only at start-up, so the CLI re-runs itself with the flag.
 */
function respawnWithLargerYoungGeneration() {
	if (
		process.execArgv.some((arg) => arg.startsWith('--max-semi-space-size')) ||
		process.env.SANDBOX_NO_RESPAWN
	)
		return false;
	const child = spawn(process.execPath, [SEMI_SPACE_FLAG, __filename, ...process.argv.slice(2)], {
		stdio: 'inherit',
	});
	for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
	child.on('exit', (code, signal) => process.exit(code !== null ? code : signal ? 1 : 0));
	return true;
}

const flag = (value) => value === '1' || value === 'true';

async function main() {
	const { startSandbox } = require('./index');
	const env = process.env;
	const sandbox = await startSandbox({
		port: Number(env.SANDBOX_PORT || 8787),
		storagePort: Number(env.SANDBOX_STORAGE_PORT || 8788),
		seed: env.SANDBOX_SEED || 'sandbox',
		size: Number(env.SANDBOX_SIZE || 2000),
		throttleLimit: env.SANDBOX_THROTTLE_LIMIT ? Number(env.SANDBOX_THROTTLE_LIMIT) : undefined,
		forkMode: flag(env.SANDBOX_FORK_MODE),
		webhooksV2: flag(env.SANDBOX_WEBHOOKS_V2),
		answerDelayMs: Number(env.SANDBOX_ANSWER_DELAY_MS || 0),
	});
	const lines = [
		'Démarche Numérique sandbox running',
		`  API base URL (credential "baseUrl"): ${sandbox.url}`,
		`  GraphQL endpoint:                    ${sandbox.graphqlUrl}`,
		`  File storage:                        ${sandbox.storageUrl}`,
		`  Control API:                         ${sandbox.controlUrl}/`,
		'  Tokens:',
		...Object.entries(sandbox.tokens).map(([name, value]) => `    ${name.padEnd(17)} ${value}`),
		`  Démarches: ${Object.entries(sandbox.facts.demarches)
			.map(([k, v]) => `${v} (${k})`)
			.join(', ')}`,
		`  Showcase dossier with every champ type: ${sandbox.facts.everyChampDossier}`,
		'Press Ctrl-C to stop.',
	];
	process.stdout.write(lines.join('\n') + '\n');
	let stopping = false;
	const stop = () => {
		if (stopping) return;
		stopping = true;
		sandbox.stop().then(() => process.exit(0));
		setTimeout(() => process.exit(0), 2000).unref();
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

if (!respawnWithLargerYoungGeneration()) {
	main().catch((error) => {
		process.stderr.write(`Sandbox failed to start: ${error.stack || error}\n`);
		process.exit(1);
	});
}
