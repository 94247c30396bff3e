'use strict';
/** Determinism of the seed, 100 000 dossiers, and `npm run sandbox` (the CLI). */
const path = require('path');
const { spawn } = require('child_process');
const { control, gql, start } = require('./helpers');

const PAGE = `{ demarche(number: 1001) { dossiers(first: 20) { nodes { number state dateDepot dateDerniereModification
  champs { id label stringValue ... on PieceJustificativeChamp { files { filename checksum byteSizeBigInt } } } annotations { label stringValue } } } } }`;

async function snapshot(options) {
	const sandbox = await start(options);
	try {
		return {
			facts: sandbox.facts,
			page: (await gql(sandbox, PAGE)).json.data,
			counts: await control(sandbox, 'GET', '/counts'),
		};
	} finally {
		await sandbox.stop();
	}
}

it('is deterministic: same seed and size give the same data; another seed gives other data', async () => {
	const a = await snapshot({ seed: 'alpha', size: 200 });
	const b = await snapshot({ seed: 'alpha', size: 200 });
	const c = await snapshot({ seed: 'beta', size: 200 });
	expect(b).toEqual(a);
	expect(c.page).not.toEqual(a.page);
	expect(c.facts.demarches).toEqual(a.facts.demarches);
});

it('seeds 100 000 dossiers lazily and serves any page', async () => {
	// Growth, not the total: this jest worker may still hold what earlier suites left for the GC.
	const heapBefore = process.memoryUsage().heapUsed;
	const sandbox = await start({ size: 100000 });
	try {
		const counts = await control(sandbox, 'GET', '/counts');
		expect(counts.dossiers).toBeGreaterThan(95000);
		const last = await gql(
			sandbox,
			'{ demarche(number: 1002) { dossiers(last: 3) { nodes { number champs { stringValue } } } } }',
		);
		expect(last.json.data.demarche.dossiers.nodes).toHaveLength(3);
		// Alone it grows by about 250 MB (measured): the dossiers are built when read, not at start.
		expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(1024 ** 3);
	} finally {
		await sandbox.stop();
	}
});

it('`node sandbox/cli.js` prints its URL and tokens, serves, and stops on Ctrl-C', async () => {
	const cli = spawn(process.execPath, [path.resolve(__dirname, '../../sandbox/cli.js')], {
		env: { ...process.env, SANDBOX_PORT: '0', SANDBOX_STORAGE_PORT: '0', SANDBOX_SIZE: '50' },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	await new Promise((resolve, reject) => {
		cli.stdout.on('data', (chunk) => {
			output += chunk;
			if (output.includes('Press Ctrl-C')) resolve();
		});
		cli.on('exit', (code) => reject(new Error(`cli exited early (${code}): ${output}`)));
	});
	expect(output).toContain('sandbox-admin-token');
	const url = /API base URL \(credential "baseUrl"\): (\S+)/.exec(output)[1];
	const response = await fetch(`${url}/api/v2/graphql`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Authorization: 'Bearer sandbox-admin-token' },
		body: JSON.stringify({ query: '{ demarche(number: 1005) { title } }' }),
	});
	expect(await response.json()).toEqual({
		data: { demarche: { title: 'Inscription au transport scolaire' } },
	});
	const exited = new Promise((resolve) =>
		cli.on('exit', (code, signal) => resolve({ code, signal })),
	);
	cli.kill('SIGINT');
	expect(await exited).toEqual({ code: 0, signal: null });
});
