'use strict';
// Helpers for workflow check modules (e2e/workflows/*.check.js).

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

module.exports = { waitFor, sandboxControl, triggerItems };
