'use strict';
// trigger-webhook-legacy.json under `n8n start`, set up as a user does: the secret comes from the
// node's dropdown (the editor's load-options request) and the production URL + ?secret= is pasted
// into the démarche's settings (the sandbox control API stands for the admin UI). A state change on
// the platform must then start the workflow with the dossier as read back from the platform; a
// call with a wrong secret is refused and starts nothing. When the credential's token then changes
// (a renewal), the URL pasted with the generated secret still works: n8n saved, at activation, the
// node's memory of the secret in force.

const { createHmac } = require('node:crypto');

const {
	executionsAfterDuplicate,
	isFinished,
	knownDuplicateIssue,
	legacyDeliveryFor,
	platformQuery,
	sandboxControl,
	triggerItems,
	waitFor,
} = require('../lib/checks');

const NODE = 'Callback';
const INSTRUCTEUR = 'julien.petit@demarches-exemple.gouv.fr'; // the transport démarche's only groupe

module.exports = async ({ assert, check, skip, n8n, platform, workflow }) => {
	const node = workflow.nodes.find((n) => n.name === NODE);
	const demarche = platform.facts.demarches.transport;
	const [secretOption] = await n8n.dynamicParameters('options', {
		nodeType: node.type,
		methodName: 'getCallbackSecret',
		path: 'callbackSecret',
		currentNodeParameters: node.parameters,
		credentials: node.credentials,
	});
	assert.ok(
		secretOption && /^[0-9a-f]{16,}$/.test(secretOption.value),
		`the node offers a secret (got ${JSON.stringify(secretOption)})`,
	);
	const productionUrl = `${n8n.url}/webhook/${node.webhookId}/demarche-numerique`;

	// production webhooks are registered a moment after the server answers
	const refused = await waitFor('the production webhook to be registered', async () => {
		const r = await fetch(`${productionUrl}?secret=${'0'.repeat(32)}`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({
				procedure_id: String(demarche),
				dossier_id: '1',
				state: 'accepte',
				updated_at: '2026-01-01 10:00:00 UTC',
			}).toString(),
		});
		return r.status === 404 ? null : r;
	});
	assert.equal(refused.status, 401, 'a callback with a wrong secret is refused');

	await sandboxControl(platform, 'POST', '/webhooks/legacy', {
		demarche,
		url: `${productionUrl}?secret=${secretOption.value}`,
	});
	const { demarche: d } = await platformQuery(
		platform,
		'query ($n: Int!) { demarche(number: $n) { dossiers(first: 2, state: en_construction) { nodes { number } } } }',
		{ n: demarche },
	);
	const number = d.dossiers.nodes[0].number;
	await sandboxControl(platform, 'POST', '/act/state', {
		number,
		state: 'en_instruction',
		instructeurEmail: INSTRUCTEUR,
	});

	const delivery = await legacyDeliveryFor(platform, number);
	assert.equal(
		delivery.status,
		200,
		`n8n answered the platform's callback (${delivery.error || ''})`,
	);

	const carriesIt = (e) => isFinished(e) && triggerItems(e, NODE).some((i) => i.number === number);
	const executions = await n8n.waitForExecutions(workflow.id, (list) => list.some(carriesIt), {
		timeoutMs: 60000,
		what: `an execution carrying dossier ${number}`,
	});
	assert.equal(executions.length, 1, 'only the accepted callback started the workflow');
	const [item] = triggerItems(executions[0], NODE);
	assert.equal(executions[0].status, 'success', 'execution status');
	assert.equal(
		item.state,
		'en_instruction',
		'the dossier as read from the platform after the change',
	);
	assert.equal(item.demarche.number, demarche, 'the dossier belongs to the démarche');

	// the platform may call twice for one change (the sandbox's "deliver by hand" sends a duplicate)
	await check('a duplicate legacy callback does not start the workflow again', async () => {
		const duplicate = await sandboxControl(platform, 'POST', '/webhooks/deliver', {
			dossier: number,
		});
		assert.equal(
			duplicate.status,
			200,
			`n8n answered the duplicate (${JSON.stringify(duplicate)})`,
		);
		const runs = await executionsAfterDuplicate(n8n, workflow.id, carriesIt);
		if (runs.length !== 1 && knownDuplicateIssue(n8n, 'a duplicate callback'))
			skip(knownDuplicateIssue(n8n, 'a duplicate callback'));
		assert.equal(runs.length, 1, `executions for dossier ${number} after a duplicate callback`);
	});

	await check('after a token renewal, the URL pasted with the generated secret still starts the workflow', async () => {
		const other = d.dossiers.nodes[1] && d.dossiers.nodes[1].number;
		assert.ok(other, 'a second dossier en construction');
		const credential = node.credentials.demarcheNumeriqueApi;
		// another valid token of the same administrateur stands for the renewed one
		const setToken = (token) =>
			n8n.rest('PATCH', `/rest/credentials/${credential.id}`, {
				name: credential.name,
				type: 'demarcheNumeriqueApi',
				data: { baseUrl: platform.url, token },
			});
		const changed = await setToken(platform.tokens.readOnly);
		assert.equal(changed.status, 200, `the credential's token changed (${JSON.stringify(changed.body).slice(0, 300)})`);
		try {
			// n8n uses the new token: the secret it generates (computed here independently) is accepted
			const renewedSecret = createHmac('sha256', platform.tokens.readOnly)
				.update(`legacy-callback:${demarche}`)
				.digest('hex')
				.slice(0, 32);
			const direct = await fetch(`${productionUrl}?secret=${renewedSecret}`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({
					procedure_id: String(demarche),
					dossier_id: '999999',
					state: 'accepte',
					updated_at: '2026-01-01 11:00:00 +0100',
				}).toString(),
			});
			assert.equal(direct.status, 200, 'the secret generated from the new token is accepted');
			await sandboxControl(platform, 'POST', '/act/state', {
				number: other,
				state: 'en_instruction',
				instructeurEmail: INSTRUCTEUR,
			});
			const renewedDelivery = await legacyDeliveryFor(platform, other);
			assert.equal(
				renewedDelivery.status,
				200,
				`n8n accepted the secret generated from the earlier token (${renewedDelivery.error || ''})`,
			);
			const carriesOther = (e) => isFinished(e) && triggerItems(e, NODE).some((i) => i.number === other);
			const runs = await n8n.waitForExecutions(workflow.id, (list) => list.some(carriesOther), {
				timeoutMs: 60000,
				what: `an execution carrying dossier ${other}`,
			});
			assert.equal(runs.find(carriesOther).status, 'success', 'execution status after the renewal');
		} finally {
			await setToken(platform.tokens.admin);
		}
	});
};
