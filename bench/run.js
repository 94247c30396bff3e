#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: the benchmarks of issue 8 against the sandbox in its own process. Each figure is
 * the median of BENCH_RUNS runs (5); ratios are taken within one round, then their median. Every
 * measured run is a fresh Node process (bench/worker.js). Writes bench/results.json and
 * bench/RESULTS.md (bench/analysis.md, written by hand after a run, is appended to it).
 *
 * Env: BENCH_RUNS (5), BENCH_DOSSIERS (10000), BENCH_ONLY (comma list of
 * sync,poll,throttle,writes,files,export,bigfile,paced).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const { control, ipcChild, median, round, runWorker } = require('./lib/util');

const RUNS = Number(process.env.BENCH_RUNS || 5);
const TARGET_DOSSIERS = Number(process.env.BENCH_DOSSIERS || 10000);
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : null;
const SEED_SIZE = 100000; // démarche 1001 (every champ type) gets about a tenth of the seed
const SYNC_DEMARCHE = 1001;
const THROTTLE_DEMARCHE = 1005;
const THROTTLE = { limit: 20, periodSeconds: 2 };
const UNTHROTTLED = { limit: 100000000, periodSeconds: 60 };
const FILES = { count: 200, bytes: 1024 * 1024 };
/** The nightly export (issue 17): dossiers updated since a date, 1 to 3 files each of 0.1 to 5 MB. */
const EXPORT = {
	demarche: 1003,
	champ: 'Attestation d’assurance',
	dossiers: 500,
	minBytes: 100_000,
	maxBytes: 5_000_000,
};
const EXPORT_CONCURRENCY = 4; // Download Files' default, given to the raw loop too
const BIG_FILE_BYTES = 500 * 1024 * 1024;
const PACE_MS = 200;
const WRITES = 500;
const CLAIRE = 'claire.martin@demarches-exemple.gouv.fr'; // instructeur of every groupe of 1001
/** The `include` defaults of dossier.getMany (common/fields.ts): the document every variant sends. */
const DEFAULT_PARTS = {
	champs: true,
	annotations: true,
	messages: false,
	avis: false,
	traitements: false,
	instructeurs: true,
	labels: true,
	geometry: false,
	files: true,
};

const log = (...args) =>
	process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${args.join(' ')}\n`);
const wanted = (section) => !ONLY || ONLY.includes(section);

let sandbox;
let info;
const ctl = (method, route, body) => control(info.controlUrl, method, route, body);

async function startSandbox() {
	sandbox = ipcChild(path.join(__dirname, 'sandbox-process.js'), {
		env: { BENCH_SIZE: String(SEED_SIZE), NODE_ENV: 'production' },
		// as the sandbox CLI runs itself (sandbox/README.md, Performance)
		execArgv: ['--max-semi-space-size=64'],
	});
	process.on('exit', () => sandbox.child.kill());
	info = await sandbox.first;
	await ctl('POST', '/throttle', UNTHROTTLED);
}

/** Clears the sandbox's request log and the byte tap; returns the sandbox's CPU so far. */
async function clearLogs() {
	await ctl('DELETE', '/requests');
	await ctl('DELETE', '/storage-requests');
	await sandbox.ask('tap', { reset: true });
	return (await sandbox.ask('cpu')).cpuMs;
}

/** What the sandbox saw since clearLogs(): its own request log, bytes, CPU. */
async function sandboxSide(cpuBefore) {
	const requests = await ctl('GET', '/requests?token=admin');
	const tap = await sandbox.ask('tap', { reset: true });
	const { cpuMs } = await sandbox.ask('cpu');
	return { requests, tap, sandboxCpuMs: cpuMs - cpuBefore };
}

/** One measured worker run, with the logs cleared right before its clock starts. */
async function measured(task) {
	let cpuBefore = 0;
	const result = await runWorker(task, {
		async onMessage(message, reply) {
			if (message.ready) {
				cpuBefore = await clearLogs();
				reply({ go: true });
			}
		},
	});
	return { ...result, ...(await sandboxSide(cpuBefore)) };
}

const base = () => ({ graphqlUrl: info.graphqlUrl, url: info.url, token: info.tokens.admin });

/**
 * BENCH_RUNS rounds of every variant, in an order rotated each round so that drift in the
 * machine's load does not always hit the same variant. `figures(out, name, round)` turns a measured
 * run into that round's entry (and may log or check it). Returns the rounds and their medians.
 */
async function rotatedRounds(variants, task, figures) {
	const names = Object.keys(variants);
	const rounds = [];
	for (let r = 0; r < RUNS; r++) {
		const rnd = {};
		for (let k = 0; k < names.length; k++) {
			const name = names[(k + r) % names.length];
			const out = await measured({ ...base(), ...task, ...variants[name] });
			if (out.error) throw new Error(`${name}: ${out.error}`);
			rnd[name] = figures(out, name, r + 1);
		}
		rounds.push(rnd);
	}
	return { rounds, summary: summarise(rounds, names) };
}

/** What a sync run cost: wall, CPU on both sides, requests, bytes, memory. */
function syncFigures(out) {
	const serverMs = out.requests.reduce((sum, q) => sum + (q.durationMs || 0), 0);
	return {
		wallMs: out.wallMs,
		cpuMs: out.cpuMs,
		sandboxCpuMs: out.sandboxCpuMs,
		requests: out.requests.length,
		serverMs,
		// Time no request of the client was in the sandbox's hands (receiving, parsing, preparing the next).
		clientOnlyMs: out.wallMs - serverMs,
		bytes: out.tap.api.bytesOut,
		maxRssKb: out.maxRssKb,
		rssBeforeKb: out.rssBeforeKb,
		items: out.items,
		distinct: out.distinct,
	};
}

async function gql(query, variables) {
	const response = await fetch(info.graphqlUrl, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${info.tokens.admin}` },
		body: JSON.stringify({ query, variables }),
	});
	const body = await response.json();
	if (body.errors) throw new Error(JSON.stringify(body.errors));
	return body.data;
}

/** Numbers of a démarche's visible dossiers (lightweight query). */
async function dossierNumbers(demarche, extra = '') {
	const numbers = [];
	let after = null;
	do {
		const data = await gql(
			`query($d: Int!, $after: String) { demarche(number: $d) { dossiers(first: 100, after: $after${extra}) { pageInfo { hasNextPage endCursor } nodes { number groupeInstructeur { number } } } } }`,
			{ d: demarche, after },
		);
		const { nodes, pageInfo } = data.demarche.dossiers;
		numbers.push(...nodes);
		after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
	} while (after);
	return numbers;
}

// ---------------------------------------------------------------------------------------------

/** Deposits dossiers in the sync démarche up to BENCH_DOSSIERS (once: sections 1 and 8 share them). */
async function topUpSyncDemarche() {
	const seeded = info.facts.visibleDossiersByDemarche[SYNC_DEMARCHE];
	const present = (await dossierNumbers(SYNC_DEMARCHE)).length;
	for (let i = present; i < TARGET_DOSSIERS; i++)
		await ctl('POST', '/act/deposit', { demarche: SYNC_DEMARCHE });
	return seeded;
}

async function benchSync(results) {
	const seeded = await topUpSyncDemarche();
	const expected = (await dossierNumbers(SYNC_DEMARCHE)).length;
	log(
		`sync: démarche ${SYNC_DEMARCHE}, ${expected} dossiers (${seeded} seeded, ${expected - seeded} deposited)`,
	);

	const { dossiersDocument } = require('../nodes/DemarcheNumerique/graphql');
	const documentFile = path.join(os.tmpdir(), `dn-bench-document-${process.pid}.json`);
	fs.writeFileSync(documentFile, JSON.stringify(dossiersDocument('demarche', DEFAULT_PARTS)));

	const variants = {
		raw: { kind: 'syncRaw' },
		peer: { kind: 'syncPeer' },
		packageSimplified: { kind: 'syncPackage', simplify: true },
		packageRaw: { kind: 'syncPackage', simplify: false },
	};
	const { rounds, summary } = await rotatedRounds(
		variants,
		{ demarche: SYNC_DEMARCHE, documentFile },
		(out, name, at) => {
			log(
				`sync round ${at} ${name}: ${Math.round(out.wallMs)} ms wall, ${Math.round(out.cpuMs)} ms CPU, ${out.requests.length} requests, ${out.distinct}/${expected} dossiers, peak RSS ${Math.round(out.maxRssKb / 1024)} MB`,
			);
			if (out.distinct !== expected)
				throw new Error(`${name} returned ${out.distinct} dossiers, expected ${expected}`);
			return syncFigures(out);
		},
	);
	fs.rmSync(documentFile, { force: true });
	const ratio = (a, b, key) => median(rounds.map((rnd) => rnd[a][key] / rnd[b][key]));
	const ratios = {};
	for (const pkg of ['packageSimplified', 'packageRaw']) {
		ratios[pkg] = {
			wallVsRaw: ratio(pkg, 'raw', 'wallMs'),
			wallVsPeer: ratio(pkg, 'peer', 'wallMs'),
			cpuVsRaw: ratio(pkg, 'raw', 'cpuMs'),
			cpuVsPeer: ratio(pkg, 'peer', 'cpuMs'),
			rssVsPeer: ratio(pkg, 'peer', 'maxRssKb'),
		};
	}
	ratios.peer = {
		wallVsRaw: ratio('peer', 'raw', 'wallMs'),
		cpuVsRaw: ratio('peer', 'raw', 'cpuMs'),
	};
	results.sync = {
		demarche: SYNC_DEMARCHE,
		dossiers: expected,
		minimumRequests: Math.ceil(expected / 100),
		summary,
		ratios,
		rounds,
	};
}

async function benchIdlePoll(results) {
	const events = ['dossierDeposited', 'dossierUpdated', 'dossierStateChanged', 'dossierDeleted'];
	const polls = Math.max(5, RUNS);
	const perEvent = {};
	let cpuBefore = 0;
	const out = await runWorker(
		{ ...base(), kind: 'idlePoll', demarche: SYNC_DEMARCHE, events, polls },
		{
			async onMessage(message, reply) {
				if (!message.ready) return;
				if (message.done) {
					const side = await sandboxSide(cpuBefore);
					perEvent[message.event] = {
						requests: side.requests.length,
						operations: [...new Set(side.requests.map((q) => q.operationName))],
					};
				}
				cpuBefore = await clearLogs();
				reply({ go: true });
			},
		},
	);
	for (const event of events) {
		const { times, emitted } = out.events[event];
		perEvent[event] = {
			...perEvent[event],
			polls,
			requestsPerPoll: perEvent[event].requests / polls,
			msPerPoll: median(times),
			emitted,
		};
		log(
			`idle poll ${event}: ${perEvent[event].requestsPerPoll} request(s)/poll, ${round(median(times), 1)} ms/poll (${perEvent[event].operations.join(', ')})`,
		);
	}
	results.idlePoll = { demarche: SYNC_DEMARCHE, events: perEvent };
}

async function benchFiles(results) {
	const dossier = (await dossierNumbers(THROTTLE_DEMARCHE))[0].number;
	const before = (
		await gql('query($n: Int!) { dossier(number: $n) { messages { attachments { url } } } }', {
			n: dossier,
		})
	).dossier.messages.flatMap((m) => m.attachments).length;
	for (let i = 0; i < FILES.count; i++) {
		// Distinct content per file (a counter in the first bytes), 1 MiB each.
		const bytes = Buffer.alloc(FILES.bytes, i % 251);
		bytes.write(`bench file ${i}\n`);
		await ctl('POST', '/act/message', {
			number: dossier,
			body: `Pièce ${i + 1}`,
			attachment: {
				filename: `piece-${i + 1}.pdf`,
				contentType: 'application/pdf',
				contentBase64: bytes.toString('base64'),
			},
		});
	}
	const files = before + FILES.count;
	log(
		`files: dossier ${dossier}, ${files} message attachments (${FILES.count} of 1 MiB, ${before} seeded)`,
	);
	const variants = {
		packageDefault: { kind: 'filesPackage' },
		package16: { kind: 'filesPackage', concurrency: 16 },
		raw4: { kind: 'filesRaw', concurrency: 4 },
		raw16: { kind: 'filesRaw', concurrency: 16 },
		rawToDisk4: { kind: 'filesRaw', concurrency: 4, toDisk: true },
	};
	const { rounds, summary } = await rotatedRounds(
		variants,
		{ dossier, demarche: THROTTLE_DEMARCHE },
		(out, name, at) => {
			const figures = transferFigures(out);
			log(
				`files round ${at} ${name}: ${out.files} files, ${round(figures.mbPerS, 1)} MB/s, ${out.tap.storage.requests} storage + ${out.requests.length} API requests`,
			);
			return figures;
		},
	);
	const ratio = (a, b) => median(rounds.map((rnd) => rnd[a].mbPerS / rnd[b].mbPerS));
	results.files = {
		dossier,
		files,
		summary,
		ratios: {
			packageDefaultVsRaw16: ratio('packageDefault', 'raw16'),
			packageDefaultVsRaw4: ratio('packageDefault', 'raw4'),
			package16VsRaw16: ratio('package16', 'raw16'),
			packageDefaultVsRawToDisk4: ratio('packageDefault', 'rawToDisk4'),
		},
		rounds,
	};
}

/** Medians of every field of a variant over the rounds (objects and strings left out). */
function summarise(rounds, names) {
	const summary = {};
	for (const name of names) {
		const runs = rounds.map((rnd) => rnd[name]);
		summary[name] = Object.fromEntries(
			Object.keys(runs[0])
				.filter((key) => typeof runs[0][key] === 'number')
				.map((key) => [key, median(runs.map((x) => x[key]))]),
		);
	}
	return summary;
}

/** A deterministic sequence in [0, 1) (the export's file counts and sizes, the same every run). */
function sequence(seed) {
	let state = seed >>> 0;
	return () => {
		state = (state * 1664525 + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

/** What a measured run saw at the storage and the API, and what it cost. */
function transferFigures(out) {
	return {
		wallMs: out.wallMs,
		cpuMs: out.cpuMs,
		files: out.files,
		bytes: out.bytes,
		mbPerS: out.bytes / 1e6 / (out.wallMs / 1000),
		storageRequests: out.tap.storage.requests,
		apiRequests: out.requests.length,
		maxRssKb: out.maxRssKb,
		rssBeforeKb: out.rssBeforeKb,
		peakRssDuringKb: out.peakRssDuringKb,
	};
}

async function benchExport(results) {
	const since = new Date(Date.now() - 1000).toISOString();
	const next = sequence(17);
	let files = 0;
	let bytes = 0;
	for (let i = 0; i < EXPORT.dossiers; i++) {
		const { number } = await ctl('POST', '/act/deposit', { demarche: EXPORT.demarche });
		const count = 1 + Math.floor(next() * 3);
		const list = Array.from({ length: count }, (_, n) => {
			const byteSize = Math.round(EXPORT.minBytes + next() * (EXPORT.maxBytes - EXPORT.minBytes));
			bytes += byteSize;
			return { filename: `piece-${number}-${n + 1}.pdf`, byteSize };
		});
		files += count;
		await ctl('POST', '/act/attach', { number, champ: EXPORT.champ, files: list });
	}
	log(
		`export: démarche ${EXPORT.demarche}, ${EXPORT.dossiers} dossiers updated since ${since}, ${files} files, ${round(bytes / 1e6, 1)} MB`,
	);
	const httpRequestNodeRoot = await installedHttpRequestNode();
	const variants = {
		package: { kind: 'exportPackage' },
		raw: { kind: 'exportRaw', concurrency: EXPORT_CONCURRENCY },
		httpNode: { kind: 'exportHttpNode', httpRequestNodeRoot },
	};
	const { rounds, summary } = await rotatedRounds(
		variants,
		{ demarche: EXPORT.demarche, since },
		(out, name, at) => {
			if (out.files !== files)
				throw new Error(`${name} downloaded ${out.files} files, expected ${files}`);
			const figures = transferFigures(out);
			log(
				`export round ${at} ${name}: ${Math.round(out.wallMs)} ms, ${round(figures.mbPerS, 1)} MB/s, ${out.tap.storage.requests} storage + ${out.requests.length} API requests, peak RSS ${Math.round(out.maxRssKb / 1024)} MB`,
			);
			return figures;
		},
	);
	const ratio = (a, b) => median(rounds.map((rnd) => rnd[a].wallMs / rnd[b].wallMs));
	results.export = {
		demarche: EXPORT.demarche,
		dossiers: EXPORT.dossiers,
		files,
		bytes,
		since,
		concurrency: EXPORT_CONCURRENCY,
		minimumApiRequests: Math.ceil(EXPORT.dossiers / 100),
		httpRequestNode: httpRequestNodeVersion(httpRequestNodeRoot),
		summary,
		ratios: {
			packageVsRaw: ratio('package', 'raw'),
			packageVsHttpNode: ratio('package', 'httpNode'),
			httpNodeVsRaw: ratio('httpNode', 'raw'),
		},
		rounds,
	};
}

/**
 * n8n-nodes-base as installed with the n8n the e2e tests run (e2e/lib/install.js, cached under
 * ~/.cache; installed on first use): the HTTP Request node a user has, without adding n8n-nodes-base
 * and its hundreds of dependencies to this package's devDependencies.
 */
async function installedHttpRequestNode() {
	const { ensureN8n, N8N_VERSIONS } = require('../e2e/lib/install');
	const n8n = await ensureN8n(N8N_VERSIONS.v1);
	return path.join(n8n.dir, 'node_modules', 'n8n-nodes-base');
}

function httpRequestNodeVersion(root) {
	const { version } = require(path.join(root, 'package.json'));
	return `n8n-nodes-base ${version}`;
}

async function benchBigFile(results) {
	const { number } = await ctl('POST', '/act/deposit', { demarche: EXPORT.demarche });
	await ctl('POST', '/act/attach', {
		number,
		champ: EXPORT.champ,
		files: [{ filename: 'archive-500-mo.pdf', byteSize: BIG_FILE_BYTES }],
	});
	log(`big file: dossier ${number}, one file of ${BIG_FILE_BYTES / 1024 / 1024} MiB`);
	const variants = {
		package: { kind: 'filesPackage' },
		rawToDisk: { kind: 'filesRaw', concurrency: 1, toDisk: true },
	};
	const { rounds, summary } = await rotatedRounds(
		variants,
		{ demarche: EXPORT.demarche, dossier: number, sources: ['champs'] },
		(out, name, at) => {
			const peakKb = Math.max(out.maxRssKb, out.peakRssDuringKb);
			const figures = { ...transferFigures(out), rssGrowthKb: peakKb - out.rssBeforeKb };
			log(
				`big file round ${at} ${name}: ${Math.round(out.wallMs)} ms, ${round(figures.mbPerS, 1)} MB/s, RSS ${Math.round(out.rssBeforeKb / 1024)} → peak ${Math.round(peakKb / 1024)} MB`,
			);
			return figures;
		},
	);
	results.bigFile = {
		dossier: number,
		bytes: BIG_FILE_BYTES,
		summary,
		maxGrowthKb: Math.max(...rounds.map((rnd) => rnd.package.rssGrowthKb)),
		ratios: {
			packageVsRawToDisk: median(rounds.map((rnd) => rnd.package.wallMs / rnd.rawToDisk.wallMs)),
		},
		rounds,
	};
}

async function benchPaced(results) {
	// The same 10,000 dossiers as section 1, also when this section runs alone (BENCH_ONLY=paced).
	await topUpSyncDemarche();
	const startedAt = new Date().toISOString();
	const loadAtStart = os.loadavg().map((x) => round(x, 2));
	const expected = (await dossierNumbers(SYNC_DEMARCHE)).length;
	const { dossiersDocument } = require('../nodes/DemarcheNumerique/graphql');
	const documentFile = path.join(os.tmpdir(), `dn-bench-document-${process.pid}.json`);
	fs.writeFileSync(documentFile, JSON.stringify(dossiersDocument('demarche', DEFAULT_PARTS)));
	await ctl('POST', '/pace', { answerDelayMs: PACE_MS });
	const variants = {
		raw: { kind: 'syncRaw' },
		peer: { kind: 'syncPeer' },
		package: { kind: 'syncPackage', simplify: true },
	};
	let measuredRounds;
	try {
		measuredRounds = await rotatedRounds(
			variants,
			{ demarche: SYNC_DEMARCHE, documentFile },
			(out, name, at) => {
				if (out.distinct !== expected)
					throw new Error(`${name} returned ${out.distinct} dossiers, expected ${expected}`);
				log(
					`paced sync round ${at} ${name}: ${Math.round(out.wallMs)} ms wall, ${Math.round(out.cpuMs)} ms CPU, ${out.requests.length} requests`,
				);
				return syncFigures(out);
			},
		);
	} finally {
		await ctl('POST', '/pace', { answerDelayMs: 0 });
		fs.rmSync(documentFile, { force: true });
	}
	const { rounds, summary } = measuredRounds;
	const ratio = (a, b) => median(rounds.map((rnd) => rnd[a].wallMs / rnd[b].wallMs));
	results.paced = {
		// The section's own run: it is often measured alone and merged into a full run's results.
		measured: {
			date: startedAt,
			runs: RUNS,
			loadAverageAtStart: loadAtStart,
			loadAverageAtEnd: os.loadavg().map((x) => round(x, 2)),
		},
		demarche: SYNC_DEMARCHE,
		dossiers: expected,
		answerDelayMs: PACE_MS,
		pages: Math.ceil(expected / 100),
		summary,
		ratios: {
			packageVsPeer: ratio('package', 'peer'),
			packageVsRaw: ratio('package', 'raw'),
			peerVsRaw: ratio('peer', 'raw'),
		},
		rounds,
	};
}

/** Fastest possible wall for `requests` sequential requests of `perRequestMs` under a fixed-window throttle, starting at a window's start. */
function theoreticalMinimumMs(requests, perRequestMs, { limit, periodSeconds }) {
	const periodMs = periodSeconds * 1000;
	let time = 0;
	let window = 0;
	let used = 0;
	for (let i = 0; i < requests; i++) {
		if (Math.floor(time / periodMs) !== window) {
			window = Math.floor(time / periodMs);
			used = 0;
		}
		if (used === limit) {
			window += 1;
			time = window * periodMs;
			used = 0;
		}
		used += 1;
		time += perRequestMs;
	}
	return time;
}

async function benchThrottle(results) {
	const expected = (await dossierNumbers(THROTTLE_DEMARCHE)).length;
	const task = { ...base(), kind: 'syncPackage', simplify: true, demarche: THROTTLE_DEMARCHE };
	const rounds = [];
	for (let r = 0; r < RUNS; r++) {
		await ctl('POST', '/throttle', UNTHROTTLED);
		const free = await measured(task);
		await ctl('POST', '/throttle', THROTTLE);
		const throttled = await measured({ ...task, alignPeriodSeconds: THROTTLE.periodSeconds });
		const sent = throttled.requests.length;
		const refused = throttled.requests.filter((q) => q.status === 429).length;
		const pages = sent - refused;
		const minimumMs = theoreticalMinimumMs(pages, free.wallMs / free.requests.length, THROTTLE);
		rounds.push({
			unthrottledWallMs: free.wallMs,
			unthrottledRequests: free.requests.length,
			wallMs: throttled.wallMs,
			requests: sent,
			refused429: refused,
			minimumMs,
			ratio: throttled.wallMs / minimumMs,
			lost: expected - throttled.distinct,
			items: throttled.items,
		});
		log(
			`throttled round ${r + 1}: ${Math.round(throttled.wallMs)} ms vs minimum ${Math.round(minimumMs)} ms (unthrottled ${Math.round(free.wallMs)} ms), ${sent} requests (${refused} × 429), ${expected - throttled.distinct} lost`,
		);
	}
	await ctl('POST', '/throttle', UNTHROTTLED);
	const summary = Object.fromEntries(
		Object.keys(rounds[0]).map((key) => [key, median(rounds.map((x) => x[key]))]),
	);
	results.throttle = {
		demarche: THROTTLE_DEMARCHE,
		dossiers: expected,
		throttle: THROTTLE,
		summary,
		maxLost: Math.max(...rounds.map((x) => x.lost)),
		rounds,
	};
}

async function benchWrites(results) {
	const all = await dossierNumbers(SYNC_DEMARCHE);
	const chosen = all.slice(0, WRITES);
	const groupes = new Set(chosen.map((d) => d.groupeInstructeur.number));
	const rounds = [];
	for (let r = 0; r < RUNS; r++) {
		for (const { number } of chosen)
			await ctl('POST', '/act/state', { number, state: 'en_instruction' });
		const out = await measured({
			...base(),
			kind: 'writes',
			demarche: SYNC_DEMARCHE,
			numbers: chosen.map((d) => d.number),
			instructeurEmail: CLAIRE,
		});
		const entries = out.tap.api.entries;
		const mutations = entries.filter((e) => e.dossierId);
		const lookups = entries.filter((e) => !mutations.includes(e));
		const perDossier = new Map();
		for (const e of lookups)
			if (e.number) perDossier.set(e.number, (perDossier.get(e.number) || 0) + 1);
		const operations = {};
		for (const e of entries) operations[e.operationName] = (operations[e.operationName] || 0) + 1;
		rounds.push({
			wallMs: out.wallMs,
			cpuMs: out.cpuMs,
			accepted: out.accepted,
			requests: out.requests.length,
			mutations: mutations.length,
			lookups: lookups.length,
			maxLookupsPerDossier: Math.max(0, ...perDossier.values()),
			minimumRequests: WRITES + 1,
			operations,
		});
		log(
			`writes round ${r + 1}: ${out.accepted}/${WRITES} accepted in ${Math.round(out.wallMs)} ms, ${out.requests.length} requests (${JSON.stringify(operations)})`,
		);
		if (out.accepted !== WRITES) throw new Error(`only ${out.accepted} of ${WRITES} accepted`);
	}
	const summary = Object.fromEntries(
		Object.keys(rounds[0])
			.filter((k) => k !== 'operations')
			.map((key) => [key, median(rounds.map((x) => x[key]))]),
	);
	results.writes = {
		demarche: SYNC_DEMARCHE,
		items: WRITES,
		distinctDossiers: chosen.length,
		distinctGroupes: groupes.size,
		summary,
		operations: rounds[0].operations,
		rounds,
	};
}

// ---------------------------------------------------------------------------------------------

function versionOf(name) {
	try {
		return require(path.join(__dirname, '..', 'node_modules', name, 'package.json')).version;
	} catch {
		return null;
	}
}

function machine() {
	return {
		cpu: os.cpus()[0]?.model ?? 'unknown',
		cores: os.cpus().length,
		ramGb: round(os.totalmem() / 1024 ** 3, 1),
		loadAverageAtStart: os.loadavg().map((x) => round(x, 2)),
		platform: `${os.type()} ${os.release()}`,
		node: process.version,
		package: require('../package.json').version,
		n8nCore: versionOf('n8n-core'),
		n8nWorkflow: versionOf('n8n-workflow'),
		graphqlRequest: versionOf('graphql-request'),
		date: new Date().toISOString(),
		runs: RUNS,
	};
}

async function main() {
	const started = Date.now();
	const results = { machine: machine() };
	// Workers load the package's sources compiled ahead, without the TypeScript compiler in memory.
	require('./lib/ts-require').precompile();
	log(`starting the sandbox (seed size ${SEED_SIZE})`);
	await startSandbox();
	const sections = [
		['sync', benchSync],
		['poll', benchIdlePoll],
		['throttle', benchThrottle],
		['writes', benchWrites],
		['files', benchFiles],
		['export', benchExport],
		['bigfile', benchBigFile],
		['paced', benchPaced],
	];
	for (const [name, fn] of sections) if (wanted(name)) await fn(results);
	results.machine.totalWallSeconds = Math.round((Date.now() - started) / 1000);
	results.machine.loadAverageAtEnd = os.loadavg().map((x) => round(x, 2));
	fs.writeFileSync(
		path.join(__dirname, 'results.json'),
		`${JSON.stringify(results, null, '\t')}\n`,
	);
	fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), require('./report').render(results));
	log(`done in ${results.machine.totalWallSeconds} s: bench/RESULTS.md, bench/results.json`);
	await sandbox.ask('stop');
}

main().catch((error) => {
	process.stderr.write(`${error.stack || error}\n`);
	process.exit(1);
});
