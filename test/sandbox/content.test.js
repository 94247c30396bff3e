'use strict';
/** Form descriptions, revisions, demandeurs, messages, avis, traitements, links: the read surface. */
const { gql, start } = require('./helpers');

let sandbox;
beforeAll(async () => {
	sandbox = await start({ size: 300 });
});
afterAll(() => sandbox.stop());

const DESCRIPTORS = `query($find: FindDemarcheInput!) { demarcheDescriptor(demarche: $find) { number title revision { id
  champDescriptors { __typename id label required
    ... on DropDownListChampDescriptor { options }
    ... on LinkedDropDownListChampDescriptor { options }
    ... on RepetitionChampDescriptor { champDescriptors { __typename label } } }
  annotationDescriptors { __typename label } } } }`;

it('describes a démarche form by number or by ID, with options and repetition children', async () => {
	const byNumber = (await gql(sandbox, DESCRIPTORS, { find: { number: 1001 } })).json.data
		.demarcheDescriptor;
	const byId = (
		await gql(sandbox, DESCRIPTORS, {
			find: { id: Buffer.from('Procedure-1001').toString('base64') },
		})
	).json.data.demarcheDescriptor;
	expect(byId).toEqual(byNumber);
	const champs = byNumber.revision.champDescriptors;
	expect(champs.find((c) => c.label === 'Type de structure')).toMatchObject({
		__typename: 'DropDownListChampDescriptor',
		options: ['Association', 'Entreprise', 'Collectivité', 'Particulier'],
	});
	expect(champs.find((c) => c.label === 'Membres du bureau').champDescriptors).toEqual([
		{ __typename: 'TextChampDescriptor', label: 'Nom et prénom' },
		{ __typename: 'DropDownListChampDescriptor', label: 'Fonction' },
		{ __typename: 'DateChampDescriptor', label: 'Date d’entrée' },
	]);
	// The 13 types of the 2026-03-31 API, those PR #13561 added to it, and one it cannot write (communes).
	expect(new Set(byNumber.revision.annotationDescriptors.map((a) => a.__typename)).size).toBe(21);
});

it('filters dossiers by revision', async () => {
	const revisions = (
		await gql(sandbox, '{ demarche(number: 1002) { revisions { id } activeRevision { id } } }')
	).json.data.demarche;
	expect(revisions.revisions).toHaveLength(2);
	const first = revisions.revisions[0].id;
	const query = `query($r: ID) { demarche(number: 1002) { dossiers(revision: $r) { nodes { number champs { label } } } } }`;
	const nodes = (await gql(sandbox, query, { r: first })).json.data.demarche.dossiers.nodes;
	expect(nodes.length).toBeGreaterThan(0);
	// "Personne à contacter" only exists from the second revision on.
	expect(nodes.every((n) => !n.champs.some((c) => c.label === 'Personne à contacter'))).toBe(true);
	const active = (await gql(sandbox, query, { r: revisions.activeRevision.id })).json.data.demarche
		.dossiers.nodes;
	expect(active.every((n) => n.champs.some((c) => c.label === 'Personne à contacter'))).toBe(true);
});

it('serves demandeurs: PersonneMorale with entreprise and association, PersonnePhysique', async () => {
	const morale = (
		await gql(
			sandbox,
			'{ demarche(number: 1002) { dossiers(first: 1) { nodes { demandeur { __typename ... on PersonneMorale { siret entreprise { raisonSociale } association { rna } } } } } } }',
		)
	).json.data.demarche.dossiers.nodes[0].demandeur;
	expect(morale.__typename).toBe('PersonneMorale');
	expect(morale.siret).toMatch(/^\d{14}$/);
	expect(morale.entreprise.raisonSociale).toBeTruthy();
	expect(morale.association.rna).toMatch(/^W\d{9}$/);
	const physique = (
		await gql(
			sandbox,
			'{ demarche(number: 1003) { dossiers(first: 1) { nodes { demandeur { __typename ... on PersonnePhysique { nom prenom } } } } } }',
		)
	).json.data.demarche.dossiers.nodes[0].demandeur;
	expect(physique.__typename).toBe('PersonnePhysique');
	expect(physique.nom).toBeTruthy();
});

it('serves the showcase dossier’s messages and avis with attachments, traitements, labels, links', async () => {
	const res = await gql(
		sandbox,
		`{ dossier(number: ${sandbox.facts.everyChampDossier}) {
		state labels { name } instructeurs { email } groupeInstructeur { label instructeurs { email } }
		messages { body email correction { reason } attachments { filename url } }
		avis { question reponse attachments { filename } }
		traitements { event emailAgentTraitant }
		champs { label ... on DossierLinkChamp { dossier { number } } }
		annotations { label ... on DossierLinkChamp { dossier { number } } } } }`,
	);
	const dossier = res.json.data.dossier;
	expect(dossier.state).toBe('en_instruction');
	expect(dossier.labels).toHaveLength(2);
	const correction = dossier.messages.find((m) => m.correction);
	expect(correction).toMatchObject({
		correction: { reason: 'incomplete' },
		attachments: [{ filename: 'modele-plan-de-financement.pdf' }],
	});
	expect(correction.attachments[0].url).toMatch(/^http:\/\/localhost:/);
	expect(
		dossier.avis.some((a) => a.attachments.some((f) => f.filename === 'avis-voirie.pdf')),
	).toBe(true);
	expect(dossier.traitements.map((t) => t.event)).toEqual(['depose', 'passe_en_instruction']);
	const linked = dossier.champs.find((c) => c.label === 'Dossier lié').dossier.number;
	expect(linked).not.toBe(sandbox.facts.everyChampDossier);
	expect(dossier.annotations.find((c) => c.label === 'Dossier précédent').dossier.number).toBe(
		linked,
	);
});

it('serves traitements of final dossiers with the deciding instructeur', async () => {
	const nodes = (
		await gql(
			sandbox,
			'{ demarche(number: 1003) { dossiers(state: refuse, first: 3) { nodes { motivation dateTraitement traitements { event state emailAgentTraitant dateTraitement } } } } }',
		)
	).json.data.demarche.dossiers.nodes;
	expect(nodes.length).toBeGreaterThan(0);
	for (const n of nodes) {
		const last = n.traitements[n.traitements.length - 1];
		expect(last).toMatchObject({
			event: 'refuse',
			state: 'refuse',
			dateTraitement: n.dateTraitement,
		});
		expect(last.emailAgentTraitant).toMatch(/@demarches-exemple\.gouv\.fr$/);
		expect(n.motivation).toBeTruthy();
	}
});

it('serves champ columns as typed cells', async () => {
	const res = await gql(
		sandbox,
		`{ dossier(number: ${sandbox.facts.everyChampDossier}) { champs { label columns { __typename label stringValue
		... on IntegerColumn { integer: value } ... on BooleanColumn { bool: value } ... on AttachmentsColumn { files: value { filename } } } } } }`,
	);
	const champs = res.json.data.dossier.champs;
	const columns = (label) => champs.find((c) => c.label === label).columns;
	expect(columns('Population concernée')).toEqual([
		{
			__typename: 'IntegerColumn',
			label: 'Population concernée',
			stringValue: '9007199254740993',
			integer: '9007199254740993',
		},
	]);
	expect(columns('J’accepte les conditions générales')[0]).toMatchObject({
		__typename: 'BooleanColumn',
		bool: true,
	});
	expect(columns('Justificatif de domicile')[0].files).toHaveLength(2);
	expect(columns('Adresse du projet').map((c) => c.label)).toEqual([
		'Adresse du projet',
		'Adresse du projet – Code postal',
		'Adresse du projet – Commune',
		'Adresse du projet – Département',
	]);
	expect(columns('Membres du bureau')).toEqual([]);
});

it('dateExpiration: none while en_instruction; else 12 months after the last deposit or the decision (expired_at)', async () => {
	const res = await gql(
		sandbox,
		'{ demarche(number: 1002) { dossiers(first: 100) { nodes { state dateExpiration datePassageEnConstruction dateTraitement } } } }',
	);
	const nodes = res.json.data.demarche.dossiers.nodes;
	const plusYear = (iso) => iso.replace(/^(\d{4})/, (y) => String(Number(y) + 1));
	for (const state of ['en_construction', 'en_instruction', 'accepte']) expect(nodes.some((n) => n.state === state)).toBe(true);
	for (const n of nodes) {
		if (n.state === 'en_instruction') expect(n.dateExpiration).toBeNull();
		else if (n.state === 'en_construction') expect(n.dateExpiration.slice(0, 10)).toBe(plusYear(n.datePassageEnConstruction).slice(0, 10));
		else expect(n.dateExpiration.slice(0, 10)).toBe(plusYear(n.dateTraitement).slice(0, 10));
	}
});

it('champs(id:) finds a champ conditional logic hides; without id only visible champs come', async () => {
	const form = (await gql(sandbox, DESCRIPTORS, { find: { number: 1001 } })).json.data.demarcheDescriptor.revision.champDescriptors;
	const conditional = form.find((d) => d.label === 'Nombre de bénéficiaires précédents');
	const res = await gql(sandbox, '{ demarche(number: 1001) { dossiers(first: 100) { nodes { number champs { id label } } } } }');
	const hiddenIn = res.json.data.demarche.dossiers.nodes.find((n) => !n.champs.some((c) => c.id === conditional.id));
	expect(hiddenIn).toBeDefined();
	const byId = await gql(sandbox, `query($id: ID) { dossier(number: ${hiddenIn.number}) { champs(id: $id) { id label } } }`, { id: conditional.id });
	expect(byId.json.data.dossier.champs).toEqual([{ id: conditional.id, label: 'Nombre de bénéficiaires précédents' }]);
	const none = await gql(sandbox, `query($id: ID) { dossier(number: ${hiddenIn.number}) { champs(id: $id) { id } } }`, { id: Buffer.from('Champ-1').toString('base64') });
	expect(none.json.data.dossier.champs).toEqual([]);
});
