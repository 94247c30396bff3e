'use strict';
// trigger-webhook-legacy.json under `n8n start`, as a user sets it up: the secret comes from the
// node's dropdown (the editor's load-options request), the platform's form POST goes to the
// production URL with ?secret=. A call with a wrong secret is refused and starts nothing; the
// right one starts the workflow with the dossier read from the platform.

const {
	isFinished,
	platformQuery,
	sandboxControl,
	triggerItems,
	waitFor,
} = require('../lib/checks');

const NODE = 'Callback';

module.exports = async ({ assert, n8n, platform, workflow }) => {
	const node = workflow.nodes.find((n) => n.name === NODE);
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

	// a dossier of the démarche changes state on the platform, which then calls back
	const demarche = platform.facts.demarches.transport;
	const { demarche: d } = await platformQuery(
		platform,
		'query ($n: Int!) { demarche(number: $n) { dossiers(first: 1, state: en_construction) { nodes { number } } } }',
		{ n: demarche },
	);
	const number = d.dossiers.nodes[0].number;
	await sandboxControl(platform, 'POST', '/act/state', {
		number,
		state: 'en_instruction',
		instructeurEmail: 'julien.petit@demarches-exemple.gouv.fr',
	});
	const form = new URLSearchParams({
		procedure_id: String(demarche),
		dossier_id: String(number),
		state: 'en_instruction',
		updated_at: new Date()
			.toISOString()
			.replace('T', ' ')
			.replace(/\.\d+Z$/, ' UTC'),
	});
	const url = `${n8n.url}/webhook/${node.webhookId}/demarche-numerique`;
	const post = (secret) =>
		fetch(`${url}?secret=${secret}`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: form.toString(),
		});

	// production webhooks are registered a moment after the server answers
	const refused = await waitFor('the production webhook to be registered', async () => {
		const r = await post('0'.repeat(32));
		return r.status === 404 ? null : r;
	});
	assert.equal(refused.status, 401, 'a callback with a wrong secret is refused');

	const accepted = await post(secretOption.value);
	assert.equal(
		accepted.status,
		200,
		`the callback with the node's secret is accepted (${await accepted.text()})`,
	);

	const executions = await n8n.waitForExecutions(
		workflow.id,
		(list) =>
			list.some((e) => isFinished(e) && triggerItems(e, NODE).some((i) => i.number === number)),
		{ timeoutMs: 60000, what: `an execution carrying dossier ${number}` },
	);
	assert.equal(executions.length, 1, 'only the accepted callback started the workflow');
	const [item] = triggerItems(executions[0], NODE);
	assert.equal(executions[0].status, 'success', 'execution status');
	assert.equal(
		item.state,
		'en_instruction',
		'the dossier as read from the platform after the change',
	);
	assert.equal(item.demarche.number, demarche, 'the dossier belongs to the démarche');
};
