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
		// Version 1's `fields.field[]`, as saved workflows hold them; version 2 is write-mapped.test.js's.
		nodes: [{ type: NODE_TYPES.action, typeVersion: parameters.fields !== undefined ? 1 : undefined, parameters: { resource: 'dossier', ...parameters } }],
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

const control = (path, body) =>
	fetch(`${sb.controlUrl}${path}`, { method: body ? 'POST' : 'GET', headers: { 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined }).then((r) => r.json());

async function submitted(prefillToken) {
	await control('/act/prefilled', { token: prefillToken, action: 'submit' });
}
async function readDossier(number, selection) {
	const response = await fetch(sb.graphqlUrl, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sb.tokens.admin}` },
		body: JSON.stringify({ query: `query($n: Int!) { dossier(number: $n) { ${selection} } }`, variables: { n: number } }),
	});
	return (await response.json()).data.dossier;
}

it('a prefill with "M." keeps the civility (and "Monsieur" is sent as "M.")', async () => {
	for (const genre of ['M.', 'Monsieur']) {
		const created = await run({
			operation: 'createPrefilled',
			demarche: demarche(TRANSPORT),
			fields: { field: [{ field: 'Nom de l’élève', value: 'Durand' }] },
			options: { identiteNom: 'Durand', identitePrenom: 'Paul', identiteGenre: genre },
		});
		expect(created.error).toBeUndefined();
		const entry = (await control('/prefill')).find((e) => e.dossier_prefill_token === created.json[0].prefillToken);
		expect(entry.identite).toEqual({ prenom: 'Paul', nom: 'Durand', civilite: 'M' });
		await submitted(created.json[0].prefillToken);
		const dossier = await readDossier(created.json[0].dossierNumber, 'demandeur { ... on PersonnePhysique { civilite nom prenom } }');
		expect(dossier.demandeur).toEqual({ civilite: 'M', nom: 'Durand', prenom: 'Paul' });
	}
});

it('a batch of prefills beyond the rate limit waits and goes on, nothing lost', async () => {
	await control('/prefill/throttle', { limit: 2, periodSeconds: 2 });
	try {
		const result = await runWorkflow({
			nodes: [{ type: NODE_TYPES.action, typeVersion: 1, parameters: { resource: 'dossier', operation: 'createPrefilled', demarche: demarche(TRANSPORT), fields: { field: [{ field: 'Nom de l’élève', value: '={{ $json.nom }}' }] } } }],
			credentials: { demarcheNumeriqueApi: { baseUrl: sb.url, token: sb.tokens.admin } },
			input: ['A', 'B', 'C', 'D', 'E'].map((nom) => ({ json: { nom } })),
		});
		expect(result.error).toBeUndefined();
		const out = jsonOf(result.items('Démarche Numérique'));
		expect(out).toHaveLength(5);
		expect(new Set(out.map((o) => o.prefillToken)).size).toBe(5);
		const stored = await control('/prefill');
		for (const o of out) expect(stored.some((e) => e.dossier_prefill_token === o.prefillToken)).toBe(true);
	} finally {
		await control('/prefill/throttle', { limit: 15, periodSeconds: 15 });
	}
}, 30000);

it('a test (brouillon) démarche takes prefill; a date-time without an offset is read in the workflow\'s time zone', async () => {
	const test = await control('/act/demarche', { title: 'Démarche en test', state: 'brouillon', champs: [{ type: 'datetime', label: 'Rendez-vous' }] });
	const result = await runWorkflow({
		nodes: [{ type: NODE_TYPES.action, typeVersion: 1, parameters: { resource: 'dossier', operation: 'createPrefilled', demarche: demarche(test.number), fields: { field: [{ field: 'Rendez-vous', value: '2026-07-14 10:30' }] } } }],
		credentials: { demarcheNumeriqueApi: { baseUrl: sb.url, token: sb.tokens.admin } },
		settings: { timezone: 'America/New_York' },
	});
	expect(result.error).toBeUndefined();
	const [json] = jsonOf(result.items('Démarche Numérique'));
	await submitted(json.prefillToken);
	const dossier = await readDossier(json.dossierNumber, 'champs { label ... on DatetimeChamp { datetime } }');
	// 10:30 in New York is 14:30 UTC, served in Paris time.
	expect(Date.parse(dossier.champs.find((c) => c.label === 'Rendez-vous').datetime)).toBe(Date.UTC(2026, 6, 14, 14, 30));
});
