'use strict';
/**
 * Prefill through the public REST endpoint, in n8n's real engine against the sandbox: the
 * sandbox refuses any Content-Type but exactly `application/json`, so a created dossier proves
 * the header; the usager's submission (control API) then shows the prefilled values through
 * GraphQL. Labels are those of the sandbox's démarche 1005 "Inscription au transport scolaire".
 */
const { startSandbox } = require('../../sandbox');
const { NODE_TYPES, jsonOf, runWorkflow } = require('../helpers/engine');

const TRANSPORT = 1005;

let sb;
beforeAll(async () => {
	sb = await startSandbox({ size: 100 });
});
afterAll(async () => {
	await sb?.stop();
});

async function run(parameters) {
	const result = await runWorkflow({
		nodes: [{ type: NODE_TYPES.action, parameters: { resource: 'dossier', ...parameters } }],
		credentials: { demarcheNumeriqueApi: { baseUrl: sb.url, token: sb.tokens.admin } },
	});
	return { error: result.error, json: result.error ? [] : jsonOf(result.items('Démarche Numérique')) };
}

const demarche = (number) => ({ __rl: true, mode: 'id', value: String(number) });

it('creates a prefilled dossier from labels, follows its status, and the usager finds the values', async () => {
	const created = await run({
		operation: 'createPrefilled',
		demarche: demarche(TRANSPORT),
		fields: {
			field: [
				{ field: 'Nom de l’élève', value: 'Lefèvre' },
				{ field: 'prénom de l’élève', value: 'Inès' },
				{ field: 'Classe', value: '4e' },
				{ field: 'Date de naissance', value: '02/05/2013' },
			],
		},
		options: { identiteNom: 'Lefèvre', identitePrenom: 'Marie', identiteGenre: 'Mme' },
	});
	expect(created.error).toBeUndefined();
	const [json] = created.json;
	expect(json).toMatchObject({ state: 'prefilled', dossierUrl: expect.stringContaining(`prefill_token=${json.prefillToken}`) });
	expect(json.dossierNumber).toEqual(expect.any(Number));

	const status = await run({ operation: 'getPrefillStatus', demarche: demarche(TRANSPORT), prefillTokens: json.prefillToken });
	expect(status.json).toEqual([expect.objectContaining({ dossier_number: json.dossierNumber, state: 'prefilled' })]);

	const submitted = await fetch(`${sb.controlUrl}/act/prefilled`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ token: json.prefillToken, action: 'submit' }),
	});
	expect(submitted.ok).toBe(true);
	const after = await run({ operation: 'getPrefillStatus', demarche: demarche(TRANSPORT), prefillTokens: `${json.prefillToken}, unknown-token` });
	expect(after.json).toEqual([expect.objectContaining({ dossier_number: json.dossierNumber, state: 'en_construction' })]);

	const response = await fetch(sb.graphqlUrl, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sb.tokens.admin}` },
		body: JSON.stringify({ query: `query($n: Int!) { dossier(number: $n) { prefilled champs { label stringValue } } }`, variables: { n: json.dossierNumber } }),
	});
	const { data } = await response.json();
	const champs = Object.fromEntries(data.dossier.champs.map((c) => [c.label, c.stringValue]));
	expect(data.dossier.prefilled).toBe(true);
	expect(champs).toMatchObject({ 'Nom de l’élève': 'Lefèvre', 'Prénom de l’élève': 'Inès', Classe: '4e', 'Date de naissance': '2 mai 2013' });
});

it('an unknown field label fails before the prefill request, listing the form\'s fields', async () => {
	const result = await run({ operation: 'createPrefilled', demarche: demarche(TRANSPORT), fields: { field: [{ field: 'Nom du parent', value: 'x' }] } });
	expect(result.error.message).toMatch(/^No field "Nom du parent" in the démarche's form. Fields: .*"Nom de l’élève"/);
});

it('a démarche that does not accept prefill is the endpoint\'s error with what to check', async () => {
	const result = await run({ operation: 'createPrefilled', demarche: demarche(999), fields: { field: [{ field: 'champ_x', value: '1' }] } });
	expect(result.error.message).toMatch(/^The prefill endpoint answered HTTP 404/);
	expect(result.error.description).toMatch(/published/);
});
