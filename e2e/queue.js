#!/usr/bin/env node
'use strict';
// Queue mode end to end (`npm run test:queue`): n8n's distributed engine on this machine —
// a throwaway PostgreSQL cluster (initdb in a temp folder, own port), Redis, n8n main + two workers +
// one webhook processor, one encryption key, the packed package installed on each — against the
// sandbox, which deposits dossiers in bursts. Checks, with figures:
//
// 1. polling run with n8n's default (in-memory) poll scheduler on the main: 500 dossiers deposited
//    in bursts on one démarche, the main stopped in the middle and started again 15 s later (deposits
//    go on). Each dossier reaches the workflow exactly once, its decision (passer en instruction) is
//    applied once, both workers run executions;
// 2. a legacy webhook call through the webhook processor starts one execution, on a worker;
// 3. a worker killed (SIGKILL) in the middle of an execution that takes decisions: what n8n does with
//    that execution, and no decision sent twice (sandbox request log and event log);
// 4. the polling run again with n8n 2.41's durable scheduler and durable poll cursors, on two
//    workflows at once: one poll time (every minute) and six poll times (every 10 s: n8n 2.41.1 runs
//    polls of one node's poll times concurrently, from the same cursor; the node's one-poll-at-a-time
//    lease must keep that exact too).
//
// The workflow of a polling run: Démarche Numérique Trigger (Dossier Deposited, from a date; polled
// every 10 s by six cron entries with a fixed second each, as n8n refuses a sub-minute cron) → HTTP
// Request to a collector in this process (dossier number, execution id) → Démarche Numérique "Passer
// en instruction". Figures: deposited, handled, duplicated, lost, executions per worker, restart gap.
// Exits 1 when anything is lost or duplicated, a decision is applied or sent
// twice, or a step fails.
//
// Env: E2E_QUEUE_DOSSIERS (500), E2E_QUEUE_SKIP_DURABLE=1, E2E_KEEP=1 (keep logs and databases),
// E2E_CACHE_DIR. Needs PostgreSQL's server programs (Debian: postgresql) and redis-server.

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');
const { N8N_VERSIONS, ensureN8n } = require('./lib/install');
const { packPackage } = require('./lib/package');
const { startPlatform } = require('./lib/platform');
const { QueueCluster } = require('./lib/queue');
const { Reporter } = require('./lib/reporter');
const { legacyDeliveryFor, sandboxControl, waitFor } = require('./lib/checks');
const { sleep } = require('./lib/proc');
const wf = require('./lib/workflows');

const reporter = new Reporter('queue');
const log = reporter.log;
const VERSION = N8N_VERSIONS.v2;
const TOTAL = Number(process.env.E2E_QUEUE_DOSSIERS || 500);
const MULTI_TOTAL = Math.max(20, Math.round(TOTAL * 0.4));
const CREDENTIAL = { id: 'dnQueueSandboxCrd', name: 'Démarche Numérique (sandbox, queue)' };
const TRIGGER_TYPE = `${wf.PACKAGE_NAME}.demarcheNumeriqueTrigger`;
const ACTION_TYPE = `${wf.PACKAGE_NAME}.demarcheNumerique`;
const WEBHOOK_TYPE = `${wf.PACKAGE_NAME}.demarcheNumeriqueWebhookTrigger`;
const DECISION_OPERATION = 'DossierPasserEnInstruction';
const DURABLE_ENV = {
	N8N_SCHEDULER_ENABLED: 'true',
	N8N_SCHEDULER_POLL_TRIGGERS_ENABLED: 'true',
	N8N_POLLER_DURABLE_CURSORS_ENABLED: 'true',
};
/** Test-only settings, so that a dead worker's job is noticed in seconds (defaults: 60 s lock, 30 s check, recovery every 180 min). */
const FAST_CRASH_DETECTION = {
	worker: {
		QUEUE_WORKER_LOCK_DURATION: '20000',
		QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
		QUEUE_WORKER_STALLED_INTERVAL: '10000',
	},
	main: { N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: '1' },
};
const RESTART_PAUSE_MS = 15000;
const HARD_DEADLINE_MS = 40 * 60 * 1000;

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const nodeId = () => crypto.randomUUID();

/** A small HTTP server the workflows report each dossier to: {number, executionId, workflowId}. */
async function startCollector() {
	const records = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			let body = {};
			try {
				body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
			} catch {
				res.writeHead(400).end();
				return;
			}
			records.push({ ...body, number: Number(body.number), at: Date.now() });
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ number: Number(body.number) }));
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${server.address().port}/handled`,
		records,
		of: (workflowId) => records.filter((r) => r.workflowId === workflowId),
		close: () => new Promise((resolve) => server.close(resolve)),
	};
}

function recordNode(collectorUrl, position) {
	return {
		id: nodeId(),
		name: 'Record',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position,
		parameters: {
			method: 'POST',
			url: collectorUrl,
			sendBody: true,
			specifyBody: 'json',
			jsonBody:
				'={{ JSON.stringify({ number: $json.number ?? $json.dossierNumber, executionId: $execution.id, workflowId: $workflow.id }) }}',
			options: {},
		},
	};
}

/**
 * n8n refuses a poll cron that fires more than once a minute, but a node may list several poll
 * times: six cron entries with a fixed second each poll every 10 s.
 */
const EVERY_10_S = [0, 10, 20, 30, 40, 50];
const EVERY_MINUTE = [5];

/** Trigger (deposits since `startDate`, at `pollSeconds` of each minute) → Record → Passer en instruction. */
function pollingWorkflow({
	name,
	demarche,
	groupe,
	instructeur,
	startDate,
	collectorUrl,
	pollSeconds = EVERY_10_S,
}) {
	const id = wf.workflowIdFor(`queue-${name}`);
	const options = groupe
		? { groupeInstructeur: { __rl: true, mode: 'id', value: String(groupe) } }
		: {};
	return {
		id,
		name: `queue: ${name}`,
		nodes: [
			{
				id: nodeId(),
				name: 'New dossier',
				type: TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					pollTimes: {
						item: pollSeconds.map((s) => ({
							mode: 'custom',
							cronExpression: `${s} * * * * *`,
						})),
					},
					demarche: { __rl: true, mode: 'id', value: String(demarche) },
					event: 'dossierDeposited',
					startFrom: 'date',
					startDate,
					simplify: true,
					options,
				},
			},
			recordNode(collectorUrl, [240, 0]),
			{
				id: nodeId(),
				name: 'Passer en instruction',
				type: ACTION_TYPE,
				typeVersion: 1,
				position: [480, 0],
				parameters: {
					resource: 'dossier',
					operation: 'passerEnInstruction',
					dossier: { __rl: true, mode: 'id', value: '={{ $json.number }}' },
					instructeur: { __rl: true, mode: 'email', value: instructeur },
					options: { disableNotification: true },
				},
			},
		],
		connections: {
			'New dossier': { main: [[{ node: 'Record', type: 'main', index: 0 }]] },
			Record: { main: [[{ node: 'Passer en instruction', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** The legacy callback (webhook trigger) → Record. */
function webhookWorkflow({ demarche, collectorUrl }) {
	return {
		id: wf.workflowIdFor('queue-legacy-webhook'),
		name: 'queue: legacy webhook',
		nodes: [
			{
				id: nodeId(),
				name: 'Callback',
				type: WEBHOOK_TYPE,
				typeVersion: 1,
				position: [0, 0],
				webhookId: crypto.randomUUID(),
				parameters: {
					demarche: { __rl: true, mode: 'id', value: String(demarche) },
					mode: 'legacy',
					fetchDossier: false,
					simplify: true,
				},
			},
			recordNode(collectorUrl, [240, 0]),
		],
		connections: { Callback: { main: [[{ node: 'Record', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** Deterministic pseudo-random burst sizes and pauses (same run every time). */
function bursts(total, seed = 15) {
	let x = seed;
	const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
	const out = [];
	for (let left = total; left > 0; ) {
		const size = Math.min(left, 5 + Math.floor(next() * 26)); // 5..30
		out.push({ size, pauseMs: 1500 + Math.floor(next() * 3500) }); // 1.5..5 s
		left -= size;
	}
	return out;
}

async function deposit(platform, demarche, groupe) {
	const d = await sandboxControl(platform, 'POST', '/act/deposit', {
		demarche,
		...(groupe ? { groupe } : {}),
	});
	return d.number;
}

async function executionsOf(cluster, workflowId) {
	return cluster.pg.query(
		`SELECT id::text AS id, status, mode, "startedAt", "stoppedAt" FROM execution_entity WHERE "workflowId" = '${workflowId}' ORDER BY id`,
	);
}

/** Decisions the platform applied, per dossier, from its event log since `sinceSequence`. */
async function decisionsApplied(platform, numbers, sinceSequence) {
	const wanted = new Set(numbers);
	const events = await sandboxControl(platform, 'GET', `/events?since=${sinceSequence}`);
	const count = new Map();
	for (const e of events) {
		if (e.type === 'stateChanged' && e.state === 'en_instruction' && wanted.has(e.dossierNumber))
			count.set(e.dossierNumber, (count.get(e.dossierNumber) || 0) + 1);
	}
	return count;
}

async function lastEventSequence(platform) {
	const events = await sandboxControl(platform, 'GET', '/events');
	return events.length ? events[events.length - 1].sequence : 0;
}

function countBy(list, key) {
	const out = {};
	for (const x of list) out[key(x)] = (out[key(x)] || 0) + 1;
	return out;
}

/**
 * One polling run: each lane (a workflow on its démarche) gets its dossiers deposited in bursts, all
 * lanes at once; the main is restarted once half of all dossiers are deposited (deposits go on
 * meanwhile); then waits for each workflow to take every dossier and measures, per lane.
 */
async function pollingRun(ctx, { label, lanes }) {
	const { cluster, platform } = ctx;
	await sandboxControl(platform, 'DELETE', '/requests');
	const sinceSequence = await lastEventSequence(platform);
	const total = lanes.reduce((sum, lane) => sum + lane.total, 0);
	const t0 = Date.now();
	let depositedSoFar = 0;
	let restart = null;
	const restartMain = async () => {
		const r = { states: {} };
		for (const lane of lanes)
			r.states[lane.key] = await lane.stateQuery().catch((e) => ({ error: e.message }));
		r.stopAt = Date.now();
		r.pauseSeconds = RESTART_PAUSE_MS / 1000;
		await cluster.stop('main', { graceMs: 30000 });
		r.stoppedAt = Date.now();
		// down long enough to miss a few poll times (a deploy, a host reboot)
		await sleep(RESTART_PAUSE_MS);
		await cluster.start('main');
		r.readyAt = Date.now();
		return r;
	};
	log(
		`${label}: depositing ${lanes.map((l) => `${l.total} on démarche ${l.demarche}`).join(' and ')} in bursts; main restart after ${Math.floor(total / 2)}`,
	);
	const deposited = {};
	await Promise.all(
		lanes.map(async (lane, i) => {
			deposited[lane.key] = [];
			for (const burst of bursts(lane.total, 15 + i)) {
				const numbers = await Promise.all(
					Array.from({ length: burst.size }, () => deposit(platform, lane.demarche, lane.groupe)),
				);
				deposited[lane.key].push(...numbers);
				depositedSoFar += numbers.length;
				if (!restart && depositedSoFar >= total / 2) {
					log(`${label}: ${depositedSoFar} deposited: restarting the main`);
					restart = restartMain();
				}
				await sleep(burst.pauseMs);
			}
		}),
	);
	const depositSeconds = (Date.now() - t0) / 1000;
	const restartInfo = await restart;
	const lastDepositAt = Date.now();
	log(
		`${label}: all ${total} deposited in ${seconds(lastDepositAt - t0)}; waiting for the workflows to take them`,
	);

	const handledAll = (lane) => {
		const wanted = new Set(deposited[lane.key]);
		const seen = new Set(
			ctx.collector
				.of(lane.workflow.id)
				.map((r) => r.number)
				.filter((n) => wanted.has(n)),
		);
		return seen.size >= wanted.size;
	};
	await waitFor('every dossier to reach its workflow', async () => lanes.every(handledAll), {
		timeoutMs: 180000,
		intervalMs: 2000,
	}).catch((e) => log(`${label}: ${e.message}`));
	// repeats would come with the next polls: wait for one more of each, plus a margin
	await sleep(Math.max(...lanes.map((l) => l.pollEverySeconds)) * 1000 + 15000);
	for (const lane of lanes)
		await waitFor(
			'executions to finish',
			async () =>
				(await executionsOf(cluster, lane.workflow.id)).every(
					(x) => !['new', 'running'].includes(x.status),
				),
			{ timeoutMs: 120000, intervalMs: 2000 },
		).catch((e) => log(`${label}: ${e.message}`));

	const requests = await sandboxControl(platform, 'GET', '/requests?token=admin');
	const out = [];
	for (const lane of lanes) {
		const f = await laneFigures(ctx, lane, deposited[lane.key], sinceSequence);
		f.depositSeconds = depositSeconds;
		const polls = requests
			.filter((r) => r.operationName === lane.pollOperation)
			.map((r) => Date.parse(r.at));
		f.polls = polls.length;
		if (restartInfo) {
			const before = polls.filter((t) => t < restartInfo.stopAt);
			const after = polls.filter((t) => t >= restartInfo.stopAt);
			f.restart = {
				stoppedAfterSeconds: (restartInfo.stopAt - t0) / 1000,
				stopSeconds: (restartInfo.stoppedAt - restartInfo.stopAt) / 1000,
				mainDownSeconds: (restartInfo.readyAt - restartInfo.stopAt) / 1000,
				pauseSeconds: restartInfo.pauseSeconds,
				gapSeconds:
					before.length && after.length ? (Math.min(...after) - Math.max(...before)) / 1000 : null,
				state: restartInfo.states[lane.key],
			};
		}
		out.push(f);
	}
	return out;
}

/** What one lane's workflow did with its dossiers: collector records, executions, workers, decisions. */
async function laneFigures(ctx, lane, deposited, sinceSequence) {
	const { cluster, platform, collector } = ctx;
	const wanted = new Set(deposited);
	const f = { label: lane.label, demarche: lane.demarche, pollEvery: lane.pollEverySeconds };
	const records = collector.of(lane.workflow.id);
	const perNumber = countBy(
		records.filter((r) => wanted.has(r.number)),
		(r) => r.number,
	);
	f.deposited = deposited.length;
	f.handled = Object.keys(perNumber).length;
	f.duplicated = Object.values(perNumber).filter((n) => n > 1).length;
	f.duplicateDeliveries = Object.values(perNumber).reduce((sum, n) => sum + Math.max(0, n - 1), 0);
	f.lostNumbers = deposited.filter((n) => !perNumber[n]);
	f.lost = f.lostNumbers.length;
	f.duplicatedNumbers = Object.entries(perNumber)
		.filter(([, n]) => n > 1)
		.map(([k, n]) => `${k}×${n}`);
	f.unexpected = records.filter((r) => !wanted.has(r.number)).length;

	const executions = await executionsOf(cluster, lane.workflow.id);
	f.executions = executions.length;
	f.statuses = countBy(executions, (x) => x.status);
	f.executionsPerWorker = {};
	f.dossiersPerWorker = {};
	const workerOf = {};
	for (const [name, ids] of Object.entries(cluster.executionsByWorker())) {
		const mine = executions.filter((x) => ids.has(x.id));
		f.executionsPerWorker[name] = mine.length;
		for (const x of mine) workerOf[x.id] = name;
	}
	for (const r of records) {
		const w = workerOf[String(r.executionId)] || 'unknown';
		f.dossiersPerWorker[w] = (f.dossiersPerWorker[w] || 0) + 1;
	}
	f.executionsOnNoWorker = executions.filter((x) => !workerOf[x.id]).length;
	// several executions carrying the same dossier: which ones, to tell what happened
	f.duplicateExecutions = [
		...new Set(records.filter((r) => perNumber[r.number] > 1).map((r) => String(r.executionId))),
	];

	const applied = await decisionsApplied(platform, deposited, sinceSequence);
	f.decisionsApplied = [...applied.values()].filter((n) => n >= 1).length;
	f.decisionsAppliedTwice = [...applied.values()].filter((n) => n > 1).length;
	return f;
}

function list(numbers, max = 12) {
	return `${numbers.slice(0, max).join(', ')}${numbers.length > max ? `, … (${numbers.length})` : ''}`;
}

function printRun(f) {
	const lines = [
		`${f.label} (démarche ${f.demarche}, polled every ${f.pollEvery} s)`,
		`  dossiers deposited     ${f.deposited} (in ${f.depositSeconds.toFixed(0)} s)`,
		`  handled                ${f.handled}`,
		`  duplicated             ${f.duplicated}${f.duplicated ? ` (${f.duplicateDeliveries} extra deliveries: ${list(f.duplicatedNumbers)}; executions ${list(f.duplicateExecutions)})` : ''}`,
		`  lost                   ${f.lost}${f.lost ? ` (${list(f.lostNumbers)})` : ''}`,
		`  executions             ${f.executions} (${Object.entries(f.statuses)
			.map(([k, v]) => `${v} ${k}`)
			.join(', ')})`,
		`  executions per worker  ${Object.entries(f.executionsPerWorker)
			.map(([k, v]) => `${k}: ${v}`)
			.join(', ')}${f.executionsOnNoWorker ? `, on no worker: ${f.executionsOnNoWorker}` : ''}`,
		`  dossiers per worker    ${Object.entries(f.dossiersPerWorker)
			.map(([k, v]) => `${k}: ${v}`)
			.join(', ')}`,
		`  decisions applied      ${f.decisionsApplied} (applied twice: ${f.decisionsAppliedTwice})`,
		`  poll requests          ${f.polls}`,
	];
	if (f.restart)
		lines.push(
			`  main restart           stopped ${f.restart.stoppedAfterSeconds.toFixed(0)} s into the run (stop took ${f.restart.stopSeconds.toFixed(1)} s, kept down ${f.restart.pauseSeconds} s), ready again ${f.restart.mainDownSeconds.toFixed(1)} s after the stop`,
			`  restart gap            ${f.restart.gapSeconds === null ? 'n/a' : `${f.restart.gapSeconds.toFixed(1)} s`} between the last poll before the stop and the first after`,
			`  saved trigger state    ${describeState(f.restart.state)}`,
		);
	console.log(lines.join('\n'));
}

function describeState(state) {
	if (!state) return 'none in Postgres before the restart';
	if (state.error) return `could not be read (${state.error})`;
	return `${state.where}: ${state.bytes} bytes before the restart`;
}

/** Everything but duplicates (see assertNoDuplicates): nothing lost, decisions once, all on workers. */
function assertRun(f) {
	assert.equal(
		f.lost,
		0,
		`${f.lost} dossier(s) never reached the workflow: ${list(f.lostNumbers)}`,
	);
	assert.equal(f.unexpected, 0, `${f.unexpected} record(s) for dossiers this run did not deposit`);
	assert.equal(f.decisionsAppliedTwice, 0, 'a decision was applied twice');
	assert.equal(f.decisionsApplied, f.deposited, 'every deposited dossier got its decision once');
	assert.equal(
		f.executionsOnNoWorker,
		0,
		'executions that no worker log claims (run on the main?)',
	);
}

function assertNoDuplicates(f) {
	assert.equal(
		f.duplicated,
		0,
		`${f.duplicated} dossier(s) reached the workflow more than once: ${list(f.duplicatedNumbers)} (executions ${list(f.duplicateExecutions)})`,
	);
	const bad = Object.entries(f.statuses).filter(([s]) => s !== 'success');
	assert.equal(bad.length, 0, `executions not successful: ${JSON.stringify(f.statuses)}`);
}

/** A legacy callback through the webhook processor: exactly one execution, on a worker. */
async function webhookCheck(ctx, workflow) {
	const { cluster, platform, collector } = ctx;
	const main = cluster.main.instance;
	const node = workflow.nodes[0];
	const demarche = Number(node.parameters.demarche.value);
	const [secretOption] = await main.dynamicParameters('options', {
		nodeType: node.type,
		methodName: 'getCallbackSecret',
		path: 'callbackSecret',
		currentNodeParameters: node.parameters,
		credentials: node.credentials,
	});
	assert.ok(secretOption && secretOption.value, 'the node offers a secret');
	const webhookPath = `/webhook/${node.webhookId}/demarche-numerique`;
	const url = `${cluster.webhook.instance.url}${webhookPath}?secret=${secretOption.value}`;
	const onMain = await fetch(`${main.url}${webhookPath}?secret=${secretOption.value}`, {
		method: 'POST',
	});
	log(
		`webhook: the main answers ${onMain.status} on the production URL (production webhooks are served by the webhook processor only)`,
	);
	await sandboxControl(platform, 'POST', '/webhooks/legacy', { demarche, url });
	const number = await deposit(platform, demarche);
	const delivery = await legacyDeliveryFor(platform, number);
	assert.equal(
		delivery.status,
		200,
		`the webhook processor answered the platform (${delivery.error || delivery.status})`,
	);
	const executions = await waitFor(
		'the webhook execution to finish',
		async () => {
			const list = await executionsOf(cluster, workflow.id);
			return list.length && list.every((x) => !['new', 'running'].includes(x.status)) ? list : null;
		},
		{ timeoutMs: 60000 },
	);
	await sleep(5000);
	const after = await executionsOf(cluster, workflow.id);
	const byWorker = cluster.executionsByWorker();
	const ranOn = Object.entries(byWorker)
		.filter(([, ids]) => ids.has(after[0].id))
		.map(([k]) => k);
	const figures = {
		onMain: onMain.status,
		dossier: number,
		executions: after.length,
		status: after.map((x) => x.status).join(', '),
		worker: ranOn.join(', ') || 'none',
		records: collector.of(workflow.id).filter((r) => r.number === number).length,
	};
	assert.equal(executions.length, 1, 'one legacy call, one execution');
	assert.equal(after.length, 1, 'still one execution a few seconds later');
	assert.equal(after[0].status, 'success', 'the execution succeeded');
	assert.equal(ranOn.length, 1, 'a worker ran it');
	assert.equal(figures.records, 1, 'the workflow handled the dossier once');

	// the platform may call twice for one change: informational (the node remembers deliveries in static data)
	await sandboxControl(platform, 'POST', '/webhooks/deliver', { dossier: number });
	await sleep(8000);
	figures.executionsAfterRepeat = (await executionsOf(cluster, workflow.id)).length;
	return figures;
}

/** What the main logged about an execution that went wrong ("Problem with execution N: …"). */
function mainLogProblem(cluster, executionId) {
	const text = fs.readFileSync(cluster.main.logFile, 'utf8');
	const m = text.match(
		new RegExp(`Problem with execution ${executionId}: ([^"]*?)(\\.\\. Aborting|")`),
	);
	return m ? m[1].split('. ')[0] : null;
}

/**
 * Kills (SIGKILL) the worker running an execution that takes decisions on 20 dossiers, each decision
 * slowed to 800 ms by the sandbox, once a few are applied. Reports what n8n does with the execution;
 * asserts that no decision is sent or applied twice and that n8n does not run it a second time.
 */
async function workerKillCheck(ctx, workflow, { demarche, groupe }) {
	const { cluster, platform } = ctx;
	const count = 20;
	const sinceSequence = await lastEventSequence(platform);
	await sandboxControl(platform, 'DELETE', '/requests');
	await sandboxControl(platform, 'POST', '/faults', {
		kind: 'delay',
		operationName: DECISION_OPERATION,
		count: count * 2,
		delayMs: 800,
	});
	const before = cluster.executionsByWorker();
	const numbers = await Promise.all(
		Array.from({ length: count }, () => deposit(platform, demarche, groupe)),
	);
	log(
		`worker kill: deposited ${count} dossiers on démarche ${demarche}; waiting for the execution that takes their decisions`,
	);
	const { executionId, worker } = await waitFor(
		'a worker to start the execution',
		async () => {
			const list = await executionsOf(cluster, workflow.id);
			const now = cluster.executionsByWorker();
			for (const x of list) {
				for (const [name, ids] of Object.entries(now))
					if (ids.has(x.id) && !before[name].has(x.id)) return { executionId: x.id, worker: name };
			}
			return null;
		},
		{ timeoutMs: 90000, intervalMs: 500 },
	);
	await waitFor(
		'a few decisions to be applied',
		async () => {
			const applied = await decisionsApplied(platform, numbers, sinceSequence);
			return applied.size >= 4;
		},
		{ timeoutMs: 60000, intervalMs: 200 },
	);
	const killedAt = Date.now();
	await cluster.kill(worker);
	const appliedAtKill = (await decisionsApplied(platform, numbers, sinceSequence)).size;
	log(
		`worker kill: killed ${worker} (SIGKILL) during execution ${executionId}, ${appliedAtKill} of ${count} decisions applied`,
	);

	const final = await waitFor(
		`execution ${executionId} to get a final status`,
		async () => {
			const [x] = (await executionsOf(cluster, workflow.id)).filter((e) => e.id === executionId);
			return x && !['new', 'running'].includes(x.status) ? x : null;
		},
		{ timeoutMs: 180000, intervalMs: 2000 },
	).catch(() => null);
	const finalAt = Date.now();
	await sleep(15000);
	await sandboxControl(platform, 'DELETE', '/faults');
	const executions = await executionsOf(cluster, workflow.id);
	const applied = await decisionsApplied(platform, numbers, sinceSequence);
	const sent = (await sandboxControl(platform, 'GET', '/requests?token=admin')).filter(
		(r) => r.operationName === DECISION_OPERATION,
	).length;
	const figures = {
		worker,
		executionId,
		appliedAtKill,
		status: final
			? final.status
			: (await executionsOf(cluster, workflow.id)).find((e) => e.id === executionId).status,
		statusAfterSeconds: final ? (finalAt - killedAt) / 1000 : null,
		executions: executions.length,
		sent,
		applied: applied.size,
		appliedTwice: [...applied.values()].filter((n) => n > 1).length,
		withoutDecision: count - applied.size,
		count,
		error: mainLogProblem(cluster, executionId),
	};
	await cluster.start(worker);
	assert.equal(figures.appliedTwice, 0, 'a decision was applied twice');
	assert.equal(
		figures.sent,
		figures.applied,
		`decisions sent (${sent}) differ from decisions applied (${applied.size}): one was sent twice or refused`,
	);
	assert.equal(figures.executions, 1, 'n8n ran the killed execution again (or started another)');
	assert.ok(
		final,
		`execution ${executionId} still "${figures.status}" 3 minutes after its worker died`,
	);
	return figures;
}

async function main() {
	const hardStop = setTimeout(() => {
		log.error(`test:queue exceeded ${HARD_DEADLINE_MS / 60000} minutes: stopping`);
		process.exit(1);
	}, HARD_DEADLINE_MS);
	hardStop.unref();
	const keep = !!process.env.E2E_KEEP;
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-queue-'));
	// PostgreSQL runs as another account when we are root: it must be able to walk into root
	fs.chmodSync(root, 0o711);
	const results = { runs: [] };
	let cluster;
	let platform;
	let collector;
	try {
		const pack = await reporter.check('pack the package and install n8n', async () => {
			const [p] = await Promise.all([packPackage(), ensureN8n(VERSION)]);
			return p;
		});
		if (!pack) return;
		platform = await reporter.check('start the sandbox', async () => {
			const p = await startPlatform({ size: 300 });
			assert.equal(p.kind, 'sandbox', 'the queue test needs the sandbox');
			// every poll, lookup and decision of the run uses the admin token: no throttling here
			await sandboxControl(p, 'POST', '/throttle', { limit: 1000000, periodSeconds: 60 });
			return p;
		});
		if (!platform) return;
		collector = await startCollector();
		const facts = platform.facts;
		const email = (id) => facts.instructeurs[id - 1].email;
		const importWorkflows = async (list, { publish = list } = {}) => {
			const file = path.join(root, 'import.json');
			fs.writeFileSync(
				file,
				JSON.stringify(list.map((w) => ({ active: false, ...wf.bindCredential(w, CREDENTIAL) }))),
			);
			await cluster.cli(['import:workflow', `--input=${file}`]);
			fs.rmSync(file);
			for (const w of publish) await cluster.cli(['publish:workflow', `--id=${w.id}`]);
		};
		const startDate = new Date(Date.now() - 1000).toISOString();
		const workflows = {
			legacy: pollingWorkflow({
				name: 'polling, in-memory scheduler',
				demarche: facts.demarches.transport,
				instructeur: email(4),
				startDate,
				collectorUrl: collector.url,
			}),
			kill: pollingWorkflow({
				name: 'decisions, worker killed',
				demarche: facts.demarches.subvention,
				groupe: 503,
				instructeur: email(1),
				startDate,
				collectorUrl: collector.url,
			}),
			webhook: webhookWorkflow({
				demarche: facts.demarches.occupation,
				collectorUrl: collector.url,
			}),
		};

		cluster = await reporter.check(
			'PostgreSQL, Redis and four n8n user folders with the packed package',
			async () => {
				const c = await QueueCluster.create({
					version: VERSION,
					root,
					tarball: pack.tarball,
					roleEnv: FAST_CRASH_DETECTION,
					log,
				});
				log(
					`main ${c.main.instance.url}, webhook processor ${c.webhook.instance.url}, workers ${c.workers.map((w) => w.name).join(', ')}; folders in ${root}`,
				);
				return c;
			},
		);
		if (!cluster) return;
		const ctx = { cluster, platform, collector };

		const ready = await reporter.check(
			'import the credential and workflows, publish, start main + 2 workers + webhook processor',
			async () => {
				const file = path.join(root, 'credentials.json');
				fs.writeFileSync(
					file,
					JSON.stringify([
						{
							...CREDENTIAL,
							type: wf.CREDENTIAL_TYPE,
							data: { baseUrl: platform.url, token: platform.tokens.admin },
						},
					]),
				);
				await cluster.cli(['import:credentials', `--input=${file}`]);
				fs.rmSync(file);
				await importWorkflows(Object.values(workflows));
				await cluster.startAll();
				await cluster.main.instance.setupOwner();
				return true;
			},
		);
		if (!ready) return;

		const staticDataOf = (workflow) => async () => {
			const [row] = await cluster.pg.query(
				`SELECT "staticData"::text AS s FROM workflow_entity WHERE id = '${workflow.id}'`,
			);
			return row && row.s && row.s !== '{}'
				? { where: 'workflow_entity.staticData', bytes: row.s.length }
				: null;
		};
		await runLanes("polling run, n8n's in-memory poll scheduler (the default)", ctx, results, [
			{
				key: 'legacy',
				label: 'Polling, in-memory scheduler (default), every 10 s',
				workflow: workflows.legacy,
				demarche: facts.demarches.transport,
				total: TOTAL,
				pollEverySeconds: 10,
				pollOperation: 'TriggerPollDemarche',
				stateQuery: staticDataOf(workflows.legacy),
			},
		]);

		results.webhook = await reporter.check(
			'a legacy webhook call through the webhook processor starts one execution',
			async () => {
				const f = await webhookCheck(ctx, workflows.webhook);
				console.log(
					[
						'Legacy webhook through the webhook processor',
						`  production URL on the main: HTTP ${f.onMain} (served by the webhook processor only)`,
						`  dossier ${f.dossier}: ${f.executions} execution (${f.status}) run by ${f.worker}; handled ${f.records} time(s)`,
						`  the same call delivered again: ${f.executionsAfterRepeat} execution(s) in total${f.executionsAfterRepeat > 1 ? " (the node's memory of deliveries did not hold in queue mode)" : ' (the repeat was dropped)'}`,
					].join('\n'),
				);
				return f;
			},
		);

		results.kill = await reporter.check(
			'a worker killed mid-execution: no decision sent twice, what n8n does',
			async () => {
				const f = await workerKillCheck(ctx, workflows.kill, {
					demarche: facts.demarches.subvention,
					groupe: 503,
				});
				console.log(
					[
						'Worker killed mid-execution',
						`  ${f.worker} killed (SIGKILL) during execution ${f.executionId}; ${f.appliedAtKill} of ${f.count} decisions applied at that moment`,
						`  n8n: the execution became "${f.status}"${f.statusAfterSeconds === null ? '' : ` ${f.statusAfterSeconds.toFixed(0)} s after the kill`}${f.error ? ` (${f.error})` : ''}; executions of the workflow: ${f.executions} (not run again)`,
						`  decisions sent ${f.sent}, applied ${f.applied}, applied twice ${f.appliedTwice}; dossiers of that execution left without a decision: ${f.withoutDecision}`,
					].join('\n'),
				);
				return f;
			},
		);

		if (!process.env.E2E_QUEUE_SKIP_DURABLE) {
			const durableStart = new Date(Date.now() - 1000).toISOString();
			const durable = {
				minute: pollingWorkflow({
					name: 'polling, durable scheduler, every minute',
					demarche: facts.demarches.chantier,
					instructeur: email(6),
					startDate: durableStart,
					collectorUrl: collector.url,
					pollSeconds: EVERY_MINUTE,
				}),
				tenSeconds: pollingWorkflow({
					name: 'polling, durable scheduler, every 10 s',
					demarche: facts.demarches.subvention,
					groupe: 503,
					instructeur: email(1),
					startDate: durableStart,
					collectorUrl: collector.url,
				}),
			};
			const switched = await reporter.check(
				'restart the cluster with the durable scheduler and durable poll cursors',
				async () => {
					await cluster.stopAll();
					for (const w of [workflows.legacy, workflows.kill])
						await cluster.cli(['unpublish:workflow', `--id=${w.id}`]);
					await importWorkflows(Object.values(durable));
					cluster.setEnv(DURABLE_ENV);
					await cluster.startAll();
					for (const w of Object.values(durable)) {
						const jobs = await waitFor(
							"the scheduler to hold the poll trigger's jobs",
							async () => {
								const rows = await cluster.pg.query(
									`SELECT count(*)::int AS n FROM scheduled_job WHERE payload::text LIKE '%${w.id}%'`,
								);
								return rows[0].n || null;
							},
							{ timeoutMs: 60000 },
						);
						log(`durable scheduler: ${jobs} scheduled job(s) for "${w.name}"`);
					}
					return true;
				},
			);
			const cursorOf = (workflow) => async () => {
				const [row] = await cluster.pg.query(
					`SELECT cursor::text AS s FROM poller_state WHERE "workflowId" = '${workflow.id}'`,
				);
				return row && row.s ? { where: 'poller_state.cursor', bytes: row.s.length } : null;
			};
			if (switched)
				await runLanes('polling run, durable scheduler and cursors', ctx, results, [
					{
						key: 'minute',
						label: 'Polling, durable scheduler, one poll time (every minute)',
						workflow: durable.minute,
						demarche: facts.demarches.chantier,
						total: TOTAL,
						pollEverySeconds: 60,
						pollOperation: 'TriggerPollDemarche',
						stateQuery: cursorOf(durable.minute),
					},
					{
						key: 'tenSeconds',
						label: 'Polling, durable scheduler, six poll times (every 10 s)',
						workflow: durable.tenSeconds,
						demarche: facts.demarches.subvention,
						groupe: 503,
						total: MULTI_TOTAL,
						pollEverySeconds: 10,
						pollOperation: 'TriggerPollGroupeInstructeur',
						stateQuery: cursorOf(durable.tenSeconds),
					},
				]);
		}
	} finally {
		if (cluster) await cluster.dispose({ keep }).catch((e) => log(`cleanup: ${e.message}`));
		if (platform) await platform.stop().catch(() => {});
		if (collector) await collector.close().catch(() => {});
		if (keep) log(`kept ${root} (E2E_KEEP)`);
		else fs.rmSync(root, { recursive: true, force: true });
	}
	summary(results);
}

/** Runs lanes in one polling run, then reports each lane as its own check (printed figures first). */
async function runLanes(name, ctx, results, lanes) {
	const figures = await reporter.check(
		`${name}: dossiers deposited in bursts, main restarted mid-run`,
		() => pollingRun(ctx, { label: name, lanes }),
	);
	if (!figures) return;
	for (const [i, f] of figures.entries()) {
		const lane = lanes[i];
		results.runs.push(f);
		printRun(f);
		await reporter.check(`${lane.label}: each dossier handled once, nothing lost`, async () => {
			assertRun(f);
			assertNoDuplicates(f);
		});
	}
	// a one-minute poll makes few executions: the workers are counted over the whole run
	const perWorker = {};
	for (const f of figures)
		for (const [w, n] of Object.entries(f.executionsPerWorker))
			perWorker[w] = (perWorker[w] || 0) + n;
	console.log(
		`${name}: executions per worker ${Object.entries(perWorker)
			.map(([w, n]) => `${w} ${n}`)
			.join(', ')}`,
	);
	await reporter.check(`${name}: both workers ran executions`, async () => {
		const idle = Object.entries(perWorker).filter(([, n]) => n === 0);
		assert.equal(idle.length, 0, `worker(s) that ran nothing: ${idle.map(([k]) => k).join(', ')}`);
	});
}

function summary(results) {
	if (results.runs.length) {
		console.log('\nSummary');
		for (const f of results.runs)
			console.log(
				`  ${f.label}: deposited ${f.deposited}, handled ${f.handled}, duplicated ${f.duplicated}, lost ${f.lost}; executions per worker ${Object.entries(
					f.executionsPerWorker,
				)
					.map(([k, v]) => `${k} ${v}`)
					.join(
						', ',
					)}; restart gap ${f.restart && f.restart.gapSeconds !== null ? `${f.restart.gapSeconds.toFixed(1)} s` : 'n/a'}`,
			);
	}
	if (results.kill)
		console.log(
			`  Worker killed mid-execution: execution ${results.kill.status}, decisions sent ${results.kill.sent} / applied ${results.kill.applied} / twice ${results.kill.appliedTwice}, left without decision ${results.kill.withoutDecision}`,
		);
	if (results.webhook)
		console.log(
			`  Legacy webhook via the webhook processor: ${results.webhook.executions} execution (${results.webhook.status})`,
		);
	process.exitCode = reporter.finish();
}

main().catch((e) => {
	log.error(e.stack || e.message);
	process.exit(1);
});
