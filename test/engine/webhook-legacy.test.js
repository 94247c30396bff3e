'use strict';
/**
 * The webhook trigger's legacy callback in n8n's engine (real WebhookContext): the platform's form
 * POST, the secret in the query string, duplicates, and the full dossier read from the sandbox.
 */
const { createHmac } = require('crypto');

const { startSandbox } = require('../../sandbox');
const { NODE_TYPES, runWebhook, runWebhookMethod, jsonOf } = require('../helpers/engine');
const { byId, credentialsFor } = require('./trigger-support');

let sb;
beforeAll(async () => {
	sb = await startSandbox({ size: 200 });
});
afterAll(async () => {
	await sb?.stop();
});

const node = (parameters = {}) => ({
	type: NODE_TYPES.webhookTrigger,
	parameters: { demarche: byId(1002), mode: 'legacy', ...parameters },
});

/** The secret the node shows in the editor, computed here independently (HMAC-SHA256 of the token). */
const secretFor = (token, demarche) =>
	createHmac('sha256', token).update(`legacy-callback:${demarche}`).digest('hex').slice(0, 32);

const form = (dossier, state = 'en_instruction', updatedAt = '2026-03-02 10:32:42 UTC') => ({
	method: 'POST',
	headers: { 'content-type': 'application/x-www-form-urlencoded' },
	rawBody: new URLSearchParams({
		procedure_id: '1002',
		dossier_id: String(dossier),
		state,
		updated_at: updatedAt,
	}).toString(),
});

async function deliver(request, { query, staticData, parameters } = {}) {
	return await runWebhook({
		node: node(parameters),
		credentials: credentialsFor(sb),
		staticData,
		request: { ...request, query },
	});
}

it('accepts the platform\'s form POST with the secret and emits the event', async () => {
	const result = await deliver(form(4242), { query: { secret: secretFor(sb.tokens.admin, 1002) } });
	expect(result.responseStatus).toBe(200);
	expect(jsonOf(result.workflowData[0])).toEqual([
		{ demarcheNumber: 1002, dossierNumber: 4242, state: 'en_instruction', updatedAt: '2026-03-02T10:32:42.000Z' },
	]);
});

it('refuses a call without the secret, or with a wrong one, and starts nothing', async () => {
	for (const query of [{}, { secret: 'guess' }, { secret: secretFor('another-token', 1002) }]) {
		const result = await deliver(form(4242), { query });
		expect(result.responseStatus).toBe(401);
		expect(result.workflowData).toBeUndefined();
	}
});

it('drops a duplicate delivery, keeps a new state of the same dossier', async () => {
	const query = { secret: secretFor(sb.tokens.admin, 1002) };
	const first = await deliver(form(77), { query });
	expect(first.workflowData).toBeDefined();
	const again = await deliver(form(77), { query, staticData: first.staticData });
	expect(again.responseStatus).toBe(200);
	expect(again.workflowData).toBeUndefined();
	const next = await deliver(form(77, 'accepte', '2026-03-02 11:00:00 UTC'), { query, staticData: again.staticData });
	expect(jsonOf(next.workflowData[0])[0].state).toBe('accepte');
});

it('fetches the full dossier when asked', async () => {
	const data = await (
		await fetch(sb.graphqlUrl, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sb.tokens.admin}` },
			body: JSON.stringify({ query: '{ demarche(number: 1002) { dossiers(first: 1) { nodes { number state } } } }' }),
		})
	).json();
	const dossier = data.data.demarche.dossiers.nodes[0];
	const result = await deliver(form(dossier.number, dossier.state), {
		query: { secret: secretFor(sb.tokens.admin, 1002) },
		parameters: { fetchDossier: true },
	});
	const [item] = jsonOf(result.workflowData[0]);
	expect(item.number).toBe(dossier.number);
	expect(item.demarche.number).toBe(1002);
	expect(item.webhookEvent.dossierNumber).toBe(dossier.number);
	expect(Array.isArray(item.champs)).toBe(false);
});

it('has nothing to register in legacy mode', async () => {
	const exists = await runWebhookMethod('checkExists', { node: node(), credentials: credentialsFor(sb) });
	expect(exists.result).toBe(true);
});
