'use strict';
/**
 * The webhook trigger's legacy callback in n8n's engine (real WebhookContext): the platform's form
 * POST, the secret in the query string (the user's own, or one generated from the token that outlives
 * a renewal of the token), duplicates, and the full dossier read from the sandbox, a failed read
 * included.
 */
const { createHmac } = require('crypto');

const { startSandbox } = require('../../sandbox');
const { adminData } = require('../sandbox/helpers');
const { NODE_TYPES, runWebhook, runWebhookMethod, jsonOf } = require('../helpers/engine');
const { byId, control, credentialsFor } = require('./trigger-support');

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

async function deliver(request, { query, staticData, parameters, token } = {}) {
	return await runWebhook({
		node: node(parameters),
		credentials: credentialsFor(sb, token),
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
	const dossier = await someDossier();
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

/** The administrateur renews the token in /profil: a new token, same rights, on the sandbox. */
function renewToken(name) {
	const renewed = `sandbox-renewed-${name}-token`;
	sb.sandbox.tokens[renewed] = { ...sb.sandbox.tokens[sb.tokens.admin], name: `renewed ${name}` };
	return renewed;
}

const NODE_KEY = 'node:Démarche Numérique Webhook Trigger';

/** The first dossier of démarche 1002, as the admin token reads it. */
async function someDossier() {
	const data = await adminData(sb, '{ demarche(number: 1002) { dossiers(first: 1) { nodes { number state } } } }');
	return data.demarche.dossiers.nodes[0];
}

describe('a URL pasted with the generated secret, after the credential\'s token changes', () => {
	it('is still accepted once the workflow was activated with the earlier token', async () => {
		const pasted = { secret: secretFor(sb.tokens.admin, 1002) };
		// activation (n8n checks the webhook at every activation and start) with the token in force
		const activated = await runWebhookMethod('checkExists', { node: node(), credentials: credentialsFor(sb) });
		expect(activated.result).toBe(true);
		const stored = JSON.stringify(activated.staticData[NODE_KEY]);
		expect(stored).not.toContain(pasted.secret);
		expect(stored).not.toContain(sb.tokens.admin);

		const renewed = renewToken('activation');
		const result = await deliver(form(5101), { query: pasted, staticData: activated.staticData, token: renewed });
		expect(result.responseStatus).toBe(200);
		expect(jsonOf(result.workflowData[0])).toMatchObject([{ dossierNumber: 5101, state: 'en_instruction' }]);
		// the new token's own generated secret is accepted too (the editor now shows it)
		const fresh = await deliver(form(5102), {
			query: { secret: secretFor(renewed, 1002) },
			staticData: result.staticData,
			token: renewed,
		});
		expect(fresh.responseStatus).toBe(200);
		expect(fresh.workflowData).toBeDefined();
	});

	it('is still accepted when a call was accepted under the earlier token', async () => {
		const pasted = { secret: secretFor(sb.tokens.admin, 1002) };
		const before = await deliver(form(5201), { query: pasted });
		expect(before.workflowData).toBeDefined();
		const renewed = renewToken('call');
		const after = await deliver(form(5202), { query: pasted, staticData: before.staticData, token: renewed });
		expect(after.responseStatus).toBe(200);
		expect(jsonOf(after.workflowData[0])[0].dossierNumber).toBe(5202);
	});

	it('is refused when the node never saw that secret in force (nothing remembered)', async () => {
		const renewed = renewToken('unseen');
		const result = await deliver(form(5301), { query: { secret: secretFor(sb.tokens.admin, 1002) }, token: renewed });
		expect(result.responseStatus).toBe(401);
		expect(result.workflowData).toBeUndefined();
	});
});

describe('a secret of the user\'s own', () => {
	const parameters = { customSecret: 'Ab3dEf6hIj9kLm2nOp5q' };

	it('is accepted whatever the token, and the generated one no longer is', async () => {
		const renewed = renewToken('custom');
		for (const token of [sb.tokens.admin, renewed]) {
			const result = await deliver(form(5401), { query: { secret: parameters.customSecret }, parameters, token });
			expect(result.responseStatus).toBe(200);
			expect(result.workflowData).toBeDefined();
		}
		const generated = await deliver(form(5402), { query: { secret: secretFor(sb.tokens.admin, 1002) }, parameters });
		expect(generated.responseStatus).toBe(401);
	});

	it('keeps accepting a generated secret remembered before the user set one, until told not to', async () => {
		const activated = await runWebhookMethod('checkExists', { node: node(), credentials: credentialsFor(sb) });
		const pasted = { secret: secretFor(sb.tokens.admin, 1002) };
		const result = await deliver(form(5501), { query: pasted, staticData: activated.staticData, parameters });
		expect(result.responseStatus).toBe(200);
		expect(result.workflowData).toBeDefined();
		// the platform now has the URL with the user's secret: earlier ones off
		const off = await deliver(form(5502), {
			query: pasted,
			staticData: activated.staticData,
			parameters: { ...parameters, acceptEarlierSecrets: false },
		});
		expect(off.responseStatus).toBe(401);
		expect(off.workflowData).toBeUndefined();
	});
});

describe('with Fetch Dossier, a read that fails', () => {

	it('still emits the event, with fetchError, and answers 200', async () => {
		const dossier = await someDossier();
		await control(sb, 'POST', '/faults', { kind: 'invalid_null', dossier: dossier.number, count: 5 });
		try {
			const result = await deliver(form(dossier.number, dossier.state), {
				query: { secret: secretFor(sb.tokens.admin, 1002) },
				parameters: { fetchDossier: true },
			});
			expect(result.responseStatus).toBe(200);
			const [item] = jsonOf(result.workflowData[0]);
			expect(item).toMatchObject({ demarcheNumber: 1002, dossierNumber: dossier.number, state: dossier.state });
			expect(item.fetchError.message).toMatch(new RegExp(`dossier ${dossier.number}`));
			expect(typeof item.fetchError.description).toBe('string');
			expect(item.champs).toBeUndefined();
		} finally {
			await control(sb, 'DELETE', '/faults');
		}
	});

	it('with an expired token: the event, the failure described, the token nowhere', async () => {
		const dossier = await someDossier();
		const parameters = { fetchDossier: true, customSecret: 'Zy9xW8vU7tS6rQ5pO4nM' };
		const result = await deliver(form(dossier.number, dossier.state), {
			query: { secret: parameters.customSecret },
			parameters,
			token: sb.tokens.expired,
		});
		expect(result.responseStatus).toBe(200);
		const [item] = jsonOf(result.workflowData[0]);
		expect(item.dossierNumber).toBe(dossier.number);
		expect(item.fetchError.message).toMatch(/expired|token/i);
		expect(JSON.stringify(item)).not.toContain(sb.tokens.expired);
	});
});
