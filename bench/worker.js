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
	// RSS sampled during the measured window (maxRSS also counts what came before it)
	let peakRssDuringKb = rssBeforeKb;
	const sampler = setInterval(() => {
		peakRssDuringKb = Math.max(peakRssDuringKb, Math.round(process.memoryUsage.rss() / 1024));
	}, 50);
	const cpu = process.cpuUsage();
	const start = performance.now();
	const outcome = await work();
	const wallMs = performance.now() - start;
	const { user, system } = process.cpuUsage(cpu);
	clearInterval(sampler);
	return {
		...outcome,
		wallMs,
		cpuMs: (user + system) / 1000,
		rssBeforeKb,
		peakRssDuringKb,
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
			sources: task.sources ?? ['messages'],
			options: task.concurrency ? { concurrency: task.concurrency } : {},
		});
		const items = run.items('Démarche Numérique');
		const bytes = items.reduce((sum, item) => sum + Number(item.json.byteSize), 0);
		return { files: items.length, bytes };
	});
}

const FILE_FIELDS = 'url byteSizeBigInt checksum';

/** The files of one dossier: its message attachments, or its champs' files. */
async function dossierFileList() {
	const data = await graphql(
		`query($n: Int!) { dossier(number: $n) { messages { attachments { ${FILE_FIELDS} } } champs { ... on PieceJustificativeChamp { files { ${FILE_FIELDS} } } } } }`,
		{ n: task.dossier },
	);
	return (task.sources ?? ['messages']).includes('champs')
		? data.dossier.champs.flatMap((c) => c.files ?? [])
		: data.dossier.messages.flatMap((m) => m.attachments);
}

async function graphql(query, variables) {
	const response = await fetch(task.graphqlUrl, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', ...auth() },
		body: JSON.stringify({ query, variables }),
	});
	const { data, errors } = await response.json();
	if (errors) throw new Error(JSON.stringify(errors).slice(0, 300));
	return data;
}

/**
 * Fetches `files` `concurrency` at a time with Node's fetch; with `toDisk`, each body streams into
 * a file while its MD5 is computed and checked (what storing and verifying a download costs at
 * least, as n8n's filesystem binary-data mode stores it); otherwise to memory, unchecked.
 */
async function fetchAll(files, concurrency, toDisk) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dn-bench-files-'));
	process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
	let next = 0;
	let bytes = 0;
	const worker = async () => {
		while (next < files.length) {
			const index = next++;
			const file = files[index];
			const res = await fetch(file.url);
			if (res.status !== 200) throw new Error(`file ${index}: HTTP ${res.status}`);
			let size;
			if (toDisk) {
				const hash = crypto.createHash('md5');
				const target = path.join(dir, String(index));
				const source = Readable.fromWeb(res.body);
				source.on('data', (chunk) => hash.update(chunk));
				await pipeline(source, fs.createWriteStream(target));
				size = fs.statSync(target).size;
				if (hash.digest('base64') !== file.checksum)
					throw new Error(`file ${index}: checksum mismatch`);
			} else size = Buffer.from(await res.arrayBuffer()).length;
			if (size !== Number(file.byteSizeBigInt)) throw new Error(`file ${index}: ${size} bytes`);
			bytes += size;
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
	return { files: files.length, bytes };
}

/** The same files' URLs (read once, outside the clock), fetched `concurrency` at a time. */
async function filesRaw() {
	const files = await dossierFileList();
	return await measure(async () => await fetchAll(files, task.concurrency, task.toDisk));
}

// ---------------------------------------------------------------------------------------------
// Nightly export: the dossiers updated since a date, then every file of each

const EXPORT_LIST = `query ExportFiles($d: Int!, $since: ISO8601DateTime, $after: String) {
  demarche(number: $d) {
    dossiers(first: 100, after: $after, updatedSince: $since) {
      pageInfo { hasNextPage endCursor }
      nodes { number champs { ... on PieceJustificativeChamp { files { ${FILE_FIELDS} } } } }
    }
  }
}`;

/** The export's files, listed page by page with the smallest document that names them. */
async function listExportFiles() {
	const files = [];
	let after = null;
	do {
		const data = await graphql(EXPORT_LIST, { d: task.demarche, since: task.since, after });
		const { nodes, pageInfo } = data.demarche.dossiers;
		for (const dossier of nodes)
			for (const champ of dossier.champs) files.push(...(champ.files ?? []));
		after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
	} while (after);
	return files;
}

/** The package as examples/nightly-attachment-export.json uses it: Get Many → Download Files. */
async function exportPackage() {
	const harness = engine();
	await warmUp(harness);
	return await measure(async () => {
		const run = await harness.runWorkflow({
			nodes: [
				{
					type: harness.NODE_TYPES.action,
					name: 'Dossiers updated since',
					parameters: {
						resource: 'dossier',
						operation: 'getMany',
						demarche: byId(task.demarche),
						returnAll: true,
						filters: { updatedSince: task.since },
						include: {
							champs: true,
							annotations: true,
							messages: true,
							files: true,
							instructeurs: false,
							labels: false,
						},
					},
				},
				{
					type: harness.NODE_TYPES.action,
					name: 'Download files',
					parameters: {
						resource: 'dossier',
						operation: 'downloadFiles',
						dossier: { __rl: true, mode: 'id', value: '={{ $json.number }}' },
						options: task.concurrency ? { concurrency: task.concurrency } : {},
					},
				},
			],
			credentials: credentials(),
		});
		if (run.error) throw run.error;
		const items = run.items('Download files');
		const bytes = items.reduce((sum, item) => sum + Number(item.json.byteSize), 0);
		return { files: items.length, bytes, dossiers: run.items('Dossiers updated since').length };
	});
}

/** (a) A hand-written loop: the same listing, then the files in parallel, to disk, MD5 checked. */
async function exportRaw() {
	return await measure(async () => {
		const files = await listExportFiles();
		return await fetchAll(files, task.concurrency, true);
	});
}

/**
 * (b) What a user builds without the package: n8n's own HTTP Request node (n8n-nodes-base of the
 * real n8n the e2e tests install, bench/run.js), one item per file URL (listed outside the clock),
 * Response Format: File, every other option at its default, into n8n's binary store.
 */
async function exportHttpNode() {
	const files = await listExportFiles();
	const harness = engine();
	const type = loadHttpRequestNode(harness);
	const fetchUrls = async (urls) => {
		const run = await harness.runWorkflow({
			nodes: [
				{
					type,
					name: 'HTTP Request',
					parameters: {
						method: 'GET',
						url: '={{ $json.url }}',
						options: { response: { response: { responseFormat: 'file' } } },
					},
				},
			],
			input: urls.map((url) => ({ json: { url } })),
		});
		if (run.error) throw run.error;
		return run.items('HTTP Request');
	};
	await fetchUrls([files[0].url]); // warm-up: the node's modules and n8n's binary-data service
	return await measure(async () => {
		const items = await fetchUrls(files.map((f) => f.url));
		const bytes = items.reduce((sum, item) => sum + Number(item.binary?.data?.bytes ?? 0), 0);
		return {
			files: items.length,
			bytes: bytes || files.reduce((sum, f) => sum + Number(f.byteSizeBigInt), 0),
		};
	});
}

/**
 * Registers the HTTP Request node of the installed n8n in the harness. Its own `n8n-workflow`
 * requests resolve to the harness's copy, so the engine and the node share one set of classes.
 */
function loadHttpRequestNode(harness) {
	const Module = require('module');
	const root = task.httpRequestNodeRoot;
	const resolve = Module._resolveFilename;
	Module._resolveFilename = function (request, parent, ...rest) {
		if (request === 'n8n-workflow' && parent?.filename?.startsWith(root))
			return resolve.call(this, request, module, ...rest);
		return resolve.call(this, request, parent, ...rest);
	};
	const { HttpRequest } = require(path.join(root, 'dist/nodes/HttpRequest/HttpRequest.node.js'));
	const type = 'n8n-nodes-base.httpRequest';
	harness.registerNodeType(type, new HttpRequest());
	return type;
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

const KINDS = {
	syncRaw,
	syncPeer,
	syncPackage,
	idlePoll,
	filesPackage,
	filesRaw,
	exportPackage,
	exportRaw,
	exportHttpNode,
	writes,
};

KINDS[task.kind]()
	.then((result) => process.send({ final: true, ...result }, () => process.exit(0)))
	.catch((error) => {
		process.send(
			{ final: true, error: String(error && (error.stack || error.message || error)) },
			() => process.exit(0),
		);
	});
