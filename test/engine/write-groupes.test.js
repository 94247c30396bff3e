'use strict';
/**
 * Groupe instructeur management and démarche clone in n8n's real engine against the sandbox,
 * read back through the sandbox's control API. Numbers and e-mails are the sandbox's seed facts.
 */
const { startSandbox } = require('../../sandbox');
const { NODE_TYPES, jsonOf, runWorkflow } = require('../helpers/engine');

const CLAIRE = 'claire.martin@demarches-exemple.gouv.fr'; // instructeur 1
const PAUL = 'paul.bernard@demarches-exemple.gouv.fr'; // instructeur 2
const TRANSPORT = 1005; // "Inscription au transport scolaire", one groupe "défaut" (510)

let sb;
beforeAll(async () => {
	sb = await startSandbox({ size: 200 });
});
afterAll(async () => {
	await sb?.stop();
});

const control = async (path) => (await fetch(`${sb.controlUrl}${path}`)).json();
const groupesOf = async (demarche) => (await control(`/demarches/${demarche}`)).groupes;

async function run(resource, parameters) {
	const result = await runWorkflow({
		nodes: [{ type: NODE_TYPES.action, parameters: { resource, ...parameters } }],
		credentials: { demarcheNumeriqueApi: { baseUrl: sb.url, token: sb.tokens.admin } },
	});
	return { error: result.error, json: result.error ? [] : jsonOf(result.items('Démarche Numérique')) };
}

const demarche = (number) => ({ __rl: true, mode: 'id', value: String(number) });
const groupe = (number) => ({ __rl: true, mode: 'id', value: String(number) });

const ADMIN = 'admin@demarches-exemple.gouv.fr'; // the token's administrateur: every new groupe's first instructeur

it('creates a groupe with instructeurs; invalid e-mails come back as one warning, not an error', async () => {
	const created = await run('groupeInstructeur', {
		operation: 'create',
		demarche: demarche(TRANSPORT),
		label: 'Secteur Est',
		options: { instructeurs: `${CLAIRE}, pas-une-adresse, a@b.c` },
	});
	expect(created.error).toBeUndefined();
	const [json] = created.json;
	expect(json).toMatchObject({ label: 'Secteur Est', closed: false });
	expect(json.instructeurs.map((i) => i.email).sort()).toEqual([ADMIN, CLAIRE].sort());
	expect(json.warnings).toEqual(['pas-une-adresse, a@b.c ne sont pas des adresses électroniques valides']);
	const stored = (await groupesOf(TRANSPORT)).find((g) => g.label === 'Secteur Est');
	expect(stored).toMatchObject({ number: json.number, closed: false });
	expect(stored.instructeurIds).toContain(1);
});

it('a label already used is the platform\'s error with an English fix', async () => {
	const again = await run('groupeInstructeur', { operation: 'create', demarche: demarche(TRANSPORT), label: 'défaut' });
	expect(again.error.message).toMatch(/refused groupeInstructeurCreer: Le libellé n’est pas disponible/);
	expect(again.error.description).toMatch(/no other groupe of the démarche uses/);
});

it('renames and closes a groupe, then adds and removes instructeurs by e-mail', async () => {
	const { json } = await run('groupeInstructeur', { operation: 'create', demarche: demarche(TRANSPORT), label: 'Secteur Ouest' });
	const number = json[0].number;

	const updated = await run('groupeInstructeur', { operation: 'update', groupeInstructeur: groupe(number), updateFields: { label: 'Secteur Ouest (archives)', closed: true } });
	expect(updated.json[0]).toMatchObject({ number, label: 'Secteur Ouest (archives)', closed: true });
	expect((await groupesOf(TRANSPORT)).find((g) => g.number === number)).toMatchObject({ label: 'Secteur Ouest (archives)', closed: true });

	const added = await run('groupeInstructeur', { operation: 'addInstructeurs', groupeInstructeur: groupe(number), instructeurs: `${CLAIRE}\n${PAUL}` });
	expect(added.json[0].instructeurs.map((i) => i.email).sort()).toEqual([ADMIN, CLAIRE, PAUL].sort());
	expect((await groupesOf(TRANSPORT)).find((g) => g.number === number).instructeurIds).toEqual(expect.arrayContaining([1, 2]));

	const removed = await run('groupeInstructeur', { operation: 'removeInstructeurs', groupeInstructeur: groupe(number), instructeurs: `${CLAIRE}\n${ADMIN}` });
	expect(removed.json[0].instructeurs.map((i) => i.email)).toEqual([PAUL]);
	expect((await groupesOf(TRANSPORT)).find((g) => g.number === number).instructeurIds).toEqual([2]);
});

it('closing the default groupe is refused with the platform\'s message', async () => {
	const result = await run('groupeInstructeur', { operation: 'update', groupeInstructeur: groupe(510), updateFields: { closed: true } });
	expect(result.error.message).toMatch(/Il est impossible de désactiver le groupe d’instructeurs par défaut/);
	expect(result.error.description).toMatch(/default groupe instructeur cannot be closed/);
	expect((await groupesOf(TRANSPORT)).find((g) => g.number === 510).closed).toBe(false);
});

it('clones a démarche under a new title', async () => {
	const result = await run('demarche', { operation: 'clone', demarche: { __rl: true, mode: 'url', value: `${sb.url}/admin/procedures/${TRANSPORT}` }, options: { title: 'Transport scolaire 2027' } });
	expect(result.error).toBeUndefined();
	const [json] = result.json;
	expect(json).toMatchObject({ title: 'Transport scolaire 2027', clonedFrom: TRANSPORT });
	expect(json.number).not.toBe(TRANSPORT);
	expect(await control(`/demarches/${json.number}`)).toMatchObject({ number: json.number, title: 'Transport scolaire 2027' });
});
