'use strict';
/** Shared by the read-*.test.js engine tests: a sandbox, the node run in n8n's engine, raw oracles. */
const { startSandbox } = require('../../sandbox');
const { NODE_TYPES, runWorkflow, jsonOf } = require('../helpers/engine');

const NODE = 'Démarche Numérique';

async function startReadSandbox(options = {}) {
	return await startSandbox({ size: 2000, ...options });
}

/** Runs the action node once with `parameters`, against the sandbox, with a token (admin by default). */
async function runNode(sb, parameters, { token = sb.tokens.admin, input, continueOnFail } = {}) {
	const run = await runWorkflow({
		nodes: [{ type: NODE_TYPES.action, name: NODE, parameters, continueOnFail }],
		credentials: { demarcheNumeriqueApi: { baseUrl: sb.url, token } },
		input,
	});
	const items = run.error ? [] : run.items(NODE);
	return { run, items, json: jsonOf(items), error: run.error };
}

/** A GraphQL request sent directly to the sandbox: the oracle, independent of the node's code. */
async function gql(sb, query, variables = {}, token = sb.tokens.admin) {
	const response = await fetch(sb.graphqlUrl, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
		body: JSON.stringify({ query, variables }),
	});
	const json = await response.json();
	if (json.errors) throw new Error(`oracle query failed: ${JSON.stringify(json.errors)}`);
	return json.data;
}

async function control(sb, method, path, body) {
	const response = await fetch(`${sb.controlUrl}${path}`, {
		method,
		headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const json = await response.json();
	if (response.status >= 400) throw new Error(`control ${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
	return json;
}

/** Every GraphQL request the sandbox logged for the admin token since the last clear. */
async function apiRequests(sb) {
	const log = await control(sb, 'GET', '/requests?token=admin');
	return Array.isArray(log) ? log : log.requests;
}

const byId = (value) => ({ __rl: true, mode: 'id', value: String(value) });
const byUrl = (value) => ({ __rl: true, mode: 'url', value });

/**
 * A value with its file links' query strings removed: links are signed for the second they were read
 * (temp_url_expires and its signature), so two reads a second apart differ only there.
 */
function withoutLinkSignatures(value) {
	return JSON.parse(JSON.stringify(value).replace(/(https?:\/\/[^"?]*)\?[^"]*/g, '$1'));
}

module.exports = { NODE, startReadSandbox, runNode, gql, control, apiRequests, byId, byUrl, withoutLinkSignatures };
