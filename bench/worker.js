'use strict';
/**
 * One measurement, in its own Node process (forked by bench/run.js): the task comes as JSON in
 * argv[2], the result goes back with process.send(). Every sync keeps its dossiers in memory until
 * the end, as a sync that hands them on would, so peak RSS compares like with like.
 */
const { performance } = require('perf_hooks');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { Readable } = require('stream');
const { pipeline } = require('stream/promises');

const task = JSON.parse(process.argv[2]);

/** Wall and CPU of `work`, plus peak RSS (the process's, since it started) and RSS before. */
async function measure(work) {
	await ready();
	if (global.gc) global.gc();
	await alignOnWindow(task.alignPeriodSeconds);
	const rssBeforeKb = Math.round(process.memoryUsage().rss / 1024);
	const cpu = process.cpuUsage();
	const start = performance.now();
	const outcome = await work();
	const wallMs = performance.now() - start;
	const { user, system } = process.cpuUsage(cpu);
	return {
		...outcome,
		wallMs,
		cpuMs: (user + system) / 1000,
		rssBeforeKb,
		maxRssKb: process.resourceUsage().maxRSS,
	};
}

/** Tells the parent the set-up is done and waits for its go (it clears the request logs). */
function ready(extra = {}) {
	return new Promise((resolve) => {
		process.once('message', resolve);
		process.send({ ready: true, ...extra });
	});
}

const auth = () => ({ Authorization: `Bearer ${task.token}` });

/** Waits for the start of the next throttle window (fixed windows aligned on the epoch). */
async function alignOnWindow(periodSeconds) {
	if (!periodSeconds) return;
	const periodMs = periodSeconds * 1000;
	const wait = periodMs - (Date.now() % periodMs) + 20;
	await new Promise((resolve) => setTimeout(resolve, wait));
}

// ---------------------------------------------------------------------------------------------
// Full sync

function loadDocument() {
	return JSON.parse(fs.readFileSync(task.documentFile, 'utf8'));
}

/** (a) The physical limit: Node's fetch, the same document and pages, JSON.parse. */
async function syncRaw() {
	const { query, operationName } = loadDocument();
	return await measure(async () => {
		const dossiers = [];
		let after = null;
		let bytes = 0;
		for (;;) {
			const variables = { demarche: task.demarche, first: 100 };
			if (after) variables.after = after;
			const response = await fetch(task.graphqlUrl, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...auth() },
				body: JSON.stringify({ query, variables, operationName }),
			});
			const text = await response.text();
			bytes += Buffer.byteLength(text);
			if (response.status !== 200)
				throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
			const connection = JSON.parse(text).data.demarche.dossiers;
			for (const node of connection.nodes) dossiers.push(node);
			if (!connection.pageInfo.hasNextPage) break;
			after = connection.pageInfo.endCursor;
		}
		return {
			items: dossiers.length,
			distinct: new Set(dossiers.map((d) => d.number)).size,
			bytesReceived: bytes,
		};
	});
}

/** (b) What a user would script with graphql-request: a client, a loop on endCursor. */
async function syncPeer() {
	const { query } = loadDocument();
	const { GraphQLClient } = await import('graphql-request');
	const client = new GraphQLClient(task.graphqlUrl, { headers: auth() });
	return await measure(async () => {
		const dossiers = [];
		let after = null;
		do {
			const data = await client.request(query, { demarche: task.demarche, first: 100, after });
			const { nodes, pageInfo } = data.demarche.dossiers;
			dossiers.push(...nodes);
			after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
		} while (after);
		return { items: dossiers.length, distinct: new Set(dossiers.map((d) => d.number)).size };
	});
}

/** The package's nodes in n8n's real engine (test/helpers/engine.js), sources compiled on load. */
function engine() {
	require('./lib/ts-require');
	const harness = require('../test/helpers/engine');
	harness.loadNodeType(harness.NODE_TYPES.action);
	harness.loadNodeType(harness.NODE_TYPES.trigger);
	return harness;
}

const byId = (value) => ({ __rl: true, mode: 'id', value: String(value) });
const credentials = () => ({ demarcheNumeriqueApi: { baseUrl: task.url, token: task.token } });

async function runAction(harness, parameters, input) {
	const run = await harness.runWorkflow({
		nodes: [{ type: harness.NODE_TYPES.action, parameters }],
		credentials: credentials(),
		input,
	});
	if (run.error) throw run.error;
	return run;
}

/** Warm-up outside the clock: n8n's binary-data service and the node's first load. */
async function warmUp(harness) {
	await runAction(harness, {
		resource: 'dossier',
		operation: 'getMany',
		demarche: byId(task.demarche),
		returnAll: false,
		limit: 1,
	});
}

async function syncPackage() {
	const harness = engine();
	await warmUp(harness);
	return await measure(async () => {
		const run = await runAction(harness, {
			resource: 'dossier',
			operation: 'getMany',
			demarche: byId(task.demarche),
			returnAll: true,
			simplify: task.simplify,
		});
		const items = run.items('Démarche Numérique');
		return { items: items.length, distinct: new Set(items.map((i) => i.json.number)).size };
	});
}

// ---------------------------------------------------------------------------------------------
// Idle poll

async function idlePoll() {
	const harness = engine();
	const results = {};
	for (const event of task.events) {
		const poller = new harness.ActivePoller({
			node: {
				type: harness.NODE_TYPES.trigger,
				name: 'Démarche Numérique Trigger',
				parameters: {
					demarche: byId(task.demarche),
					event,
					pollTimes: { item: [{ mode: 'everyMinute' }] },
				},
			},
			credentials: credentials(),
		});
		await poller.poll(); // activation: sets the cursor at "now"
		await ready({ event });
		const times = [];
		let emitted = 0;
		for (let i = 0; i < task.polls; i++) {
			const start = performance.now();
			const result = await poller.poll();
			times.push(performance.now() - start);
			emitted += result.items?.length ?? 0;
		}
		results[event] = { times, emitted };
		await ready({ event, done: true });
	}
	return { events: results };
}

// ---------------------------------------------------------------------------------------------
// Attachments

async function filesPackage() {
	const harness = engine();
	await warmUp(harness);
	return await measure(async () => {
		const run = await runAction(harness, {
			resource: 'dossier',
			operation: 'downloadFiles',
			dossier: byId(task.dossier),
			sources: ['messages'],
			options: task.concurrency ? { concurrency: task.concurrency } : {},
		});
		const items = run.items('Démarche Numérique');
		const bytes = items.reduce((sum, item) => sum + Number(item.json.byteSize), 0);
		return { files: items.length, bytes };
	});
}

/**
 * The same files' URLs (read once, outside the clock), fetched `concurrency` at a time; with
 * `toDisk`, each body streams into a file while its MD5 is computed (what storing and verifying
 * a download costs at least, as n8n's filesystem binary-data mode stores it).
 */
async function filesRaw() {
	const response = await fetch(task.graphqlUrl, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', ...auth() },
		body: JSON.stringify({
			query:
				'query($n: Int!) { dossier(number: $n) { messages { attachments { url byteSize checksum } } } }',
			variables: { n: task.dossier },
		}),
	});
	const { data } = await response.json();
	const files = data.dossier.messages.flatMap((m) => m.attachments);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dn-bench-files-'));
	process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
	return await measure(async () => {
		let next = 0;
		let bytes = 0;
		const worker = async () => {
			while (next < files.length) {
				const file = files[next++];
				const index = next - 1;
				const res = await fetch(file.url);
				if (res.status !== 200) throw new Error(`file: HTTP ${res.status}`);
				let size;
				if (task.toDisk) {
					const hash = crypto.createHash('md5');
					const target = path.join(dir, String(index));
					const source = Readable.fromWeb(res.body);
					source.on('data', (chunk) => hash.update(chunk));
					await pipeline(source, fs.createWriteStream(target));
					size = fs.statSync(target).size;
					if (hash.digest('base64') !== file.checksum) throw new Error('checksum mismatch');
				} else size = Buffer.from(await res.arrayBuffer()).length;
				if (size !== Number(file.byteSize)) throw new Error(`file ${index}: ${size} bytes`);
				bytes += size;
			}
		};
		await Promise.all(Array.from({ length: Math.min(task.concurrency, files.length) }, worker));
		return { files: files.length, bytes };
	});
}

// ---------------------------------------------------------------------------------------------
// Writes

async function writes() {
	const harness = engine();
	await warmUp(harness);
	return await measure(async () => {
		const run = await runAction(
			harness,
			{
				resource: 'dossier',
				operation: 'accept',
				dossier: { __rl: true, mode: 'id', value: '={{ $json.number }}' },
				instructeur: { __rl: true, mode: 'email', value: task.instructeurEmail },
				motivation: 'Dossier complet',
			},
			task.numbers.map((number) => ({ json: { number } })),
		);
		const items = run.items('Démarche Numérique');
		return {
			items: items.length,
			accepted: items.filter((i) => i.json.state === 'accepte').length,
		};
	});
}

const KINDS = { syncRaw, syncPeer, syncPackage, idlePoll, filesPackage, filesRaw, writes };

KINDS[task.kind]()
	.then((result) => process.send({ final: true, ...result }, () => process.exit(0)))
	.catch((error) => {
		process.send(
			{ final: true, error: String(error && (error.stack || error.message || error)) },
			() => process.exit(0),
		);
	});
