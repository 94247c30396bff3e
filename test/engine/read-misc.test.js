'use strict';
/** demarche.get, groupeInstructeur.get and graphql.query in n8n's engine against the sandbox (timeouts: read-timeouts). */
const { startReadSandbox, runNode, control, apiRequests, byId } = require('./read-support');

let sb;
beforeAll(async () => {
	sb = await startReadSandbox({ size: 300 });
});
afterAll(async () => {
	await sb?.stop();
});

describe('demarche.get', () => {
	it('gives the démarche with groupes, labels, service and its form description', async () => {
		const { json, error } = await runNode(sb, { resource: 'demarche', operation: 'get', demarche: byId(1001) });
		expect(error).toBeUndefined();
		expect(json).toHaveLength(1);
		const demarche = json[0];
		expect(demarche).toMatchObject({
			number: 1001,
			title: 'Démarche de démonstration : tous les types de champs',
			service: { nom: 'Direction du numérique', organisme: 'Ministère de l’Intérieur', siret: '11000001900017' },
		});
		expect(demarche.labels.map((l) => l.name)).toEqual(['Urgent', 'À relancer', 'Complet']);
		expect(demarche.groupeInstructeurs.map((g) => [g.label, g.instructeurs.map((i) => i.email)])).toEqual([
			['défaut', ['claire.martin@demarches-exemple.gouv.fr', 'paul.bernard@demarches-exemple.gouv.fr']],
			['Instruction renforcée', ['claire.martin@demarches-exemple.gouv.fr', 'sophie.dubois@demarches-exemple.gouv.fr']],
		]);
		const byLabel = (list, label) => list.filter((d) => d.label === label);
		expect(byLabel(demarche.champDescriptors, 'Type de structure')).toEqual([
			expect.objectContaining({ type: 'drop_down_list', options: ['Association', 'Entreprise', 'Collectivité', 'Particulier'], otherOption: true }),
		]);
		expect(byLabel(demarche.champDescriptors, 'Nom du projet')[0]).toMatchObject({ type: 'text', required: true });
		expect(byLabel(demarche.champDescriptors, 'Membres du bureau')[0].children.map((c) => [c.label, c.type])).toEqual([
			['Nom et prénom', 'text'],
			['Fonction', 'drop_down_list'],
			['Date d’entrée', 'date'],
		]);
		expect(byLabel(demarche.champDescriptors, 'Commentaire').map((d) => d.type)).toEqual(['text', 'textarea']);
		expect(byLabel(demarche.annotationDescriptors, 'Priorité')[0]).toMatchObject({ type: 'drop_down_list', options: ['Haute', 'Normale', 'Basse'] });
		expect(demarche.champDescriptors.find((d) => d.label === 'Votre projet')).toMatchObject({ type: 'header_section', level: 1 });
		expect(typeof demarche.activeRevision.id).toBe('string');
	});

	it('leaves out the parts switched off', async () => {
		const { json } = await runNode(sb, {
			resource: 'demarche',
			operation: 'get',
			demarche: byId(1002),
			include: { descriptors: false, groupeInstructeurs: false, labels: false, service: false },
		});
		expect(json[0].title).toBe('Demande de subvention association');
		for (const part of ['champDescriptors', 'annotationDescriptors', 'groupeInstructeurs', 'labels', 'service', 'activeRevision']) {
			expect(json[0]).not.toHaveProperty(part);
		}
	});

	it('a démarche the token cannot see fails clearly', async () => {
		const { error } = await runNode(sb, { resource: 'demarche', operation: 'get', demarche: byId(1001) }, { token: sb.tokens.scoped });
		expect(error.message).toMatch(/hidden due to permissions/);
		expect(JSON.stringify(error)).not.toContain(sb.tokens.scoped);
	});
});

describe('groupeInstructeur.get', () => {
	it('gives the groupe with its instructeurs', async () => {
		const groupe = sb.facts.groupes.find((g) => g.demarche === 1002 && g.closed);
		const { json, error } = await runNode(sb, {
			resource: 'groupeInstructeur',
			operation: 'get',
			groupeInstructeur: { __rl: true, mode: 'id', value: String(groupe.number) },
		});
		expect(error?.message).toBeUndefined();
		expect(json).toEqual([
			{
				id: expect.any(String),
				number: groupe.number,
				label: 'Ancien groupe (fermé)',
				closed: true,
				instructeurs: [{ id: expect.any(String), email: 'paul.bernard@demarches-exemple.gouv.fr' }],
			},
		]);
	});
});

describe('graphql.query', () => {
	it('sends the document with its variables through the credential', async () => {
		await control(sb, 'DELETE', '/requests');
		const { json, error } = await runNode(sb, {
			resource: 'graphql',
			operation: 'query',
			query: 'query MyDossier($number: Int!) { dossier(number: $number) { number state demarche { number } } }',
			variables: '{"number": 10001}',
		});
		expect(error).toBeUndefined();
		expect(json).toEqual([{ dossier: { number: 10001, state: 'en_instruction', demarche: { number: 1001 } } }]);
		const requests = await apiRequests(sb);
		expect(requests.map((r) => r.operationName)).toEqual(['MyDossier']);
	});

	it('refuses invalid JSON variables before sending anything', async () => {
		await control(sb, 'DELETE', '/requests');
		const { error } = await runNode(sb, { resource: 'graphql', operation: 'query', query: '{ demarche(number: 1001) { title } }', variables: '{"number": 10001' });
		expect(error.message).toBe('Variables is not valid JSON');
		expect(error.description).toMatch(/must be an object/);
		expect(await apiRequests(sb)).toEqual([]);
	});

	it('reports the platform\'s errors for a wrong document', async () => {
		const { error } = await runNode(sb, { resource: 'graphql', operation: 'query', query: '{ demarche(number: 1001) { nope } }', variables: '{}' });
		expect(error.message).toMatch(/nope/);
	});
});

describe('descriptor types of newer servers (schema 13a480b5)', () => {
	it('demarche.get names an EtudiantBoursierChampDescriptor etudiant_boursier; its dossiers read without trouble', async () => {
		const { json, error } = await runNode(sb, { resource: 'demarche', operation: 'get', demarche: byId(1005) });
		expect(error).toBeUndefined();
		expect(json[0].champDescriptors.find((d) => d.label === 'Statut d’étudiant boursier')).toMatchObject({ type: 'etudiant_boursier' });
		const revision = json[0].activeRevision.id;
		const dossiers = await runNode(sb, { resource: 'dossier', operation: 'getMany', demarche: byId(1005), limit: 3, filters: { revision } });
		expect(dossiers.error).toBeUndefined();
		expect(dossiers.json.length).toBeGreaterThan(0);
		for (const dossier of dossiers.json) expect(dossier.champs).toHaveProperty('Statut d’étudiant boursier', null);
	});
});
