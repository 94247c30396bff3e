'use strict';
/** Shared by the trigger-*, webhook-* and soak engine tests: the trigger node against the sandbox. */
const { ActivePoller, NODE_TYPES, runPoll, jsonOf } = require('../helpers/engine');

const byId = (value) => ({ __rl: true, mode: 'id', value: String(value) });

/** The polling trigger's node spec. */
function triggerNode(demarche, parameters = {}) {
	return {
		type: NODE_TYPES.trigger,
		name: 'Démarche Numérique Trigger',
		parameters: {
			demarche: byId(demarche),
			event: 'dossierDeposited',
			pollTimes: { item: [{ mode: 'everyMinute' }] },
			...parameters,
		},
	};
}

const credentialsFor = (sb, token = sb.tokens.admin) => ({ demarcheNumeriqueApi: { baseUrl: sb.url, token } });

/** An activated workflow with the trigger: `poll()` runs one tick as n8n does. */
function activate(sb, demarche, parameters, staticData) {
	return new ActivePoller({ node: triggerNode(demarche, parameters), credentials: credentialsFor(sb), staticData });
}

/** "Fetch Test Event" in the editor. */
async function fetchTestEvent(sb, demarche, parameters, staticData) {
	return await runPoll({ node: triggerNode(demarche, parameters), credentials: credentialsFor(sb), staticData, mode: 'manual' });
}

async function control(sb, method, path, body) {
	const response = await fetch(`${sb.controlUrl}${path}`, {
		method,
		headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	const json = text ? JSON.parse(text) : null;
	if (response.status >= 400) throw new Error(`control ${method} ${path}: ${response.status} ${text}`);
	return json;
}

const act = (sb, what, body) => control(sb, 'POST', `/act/${what}`, body);

/** GraphQL requests the sandbox logged for the admin token since the last clear. */
async function apiRequests(sb) {
	const log = await control(sb, 'GET', '/requests?token=admin');
	return Array.isArray(log) ? log : log.requests;
}

/** A GraphQL request straight to the sandbox (the oracle, independent of the node). */
async function gql(sb, query, variables = {}) {
	const response = await fetch(sb.graphqlUrl, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sb.tokens.admin}` },
		body: JSON.stringify({ query, variables }),
	});
	const json = await response.json();
	if (json.errors) throw new Error(`oracle query failed: ${JSON.stringify(json.errors)}`);
	return json.data;
}

/** Event log entries after `since` (a sequence number). */
async function events(sb, since = 0) {
	const log = await control(sb, 'GET', `/events?since=${since}`);
	return Array.isArray(log) ? log : log.events;
}

module.exports = { activate, act, apiRequests, byId, control, credentialsFor, events, fetchTestEvent, gql, jsonOf, triggerNode };
