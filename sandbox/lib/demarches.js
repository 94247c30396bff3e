'use strict';
/**
 * The seeded démarches: their forms (champ and annotation descriptors), groupes instructeurs,
 * instructeurs, labels and services. Pure data: seed.js turns it into store objects.
 *
 * Descriptor: { stableId, type (platform type_champ), label, required?, description?, options?,
 *   level?, children? (repetition), condition? {stableId, equals} (visible only when that champ
 *   has that value), sinceRevision? (absent from the first revision) }.
 * Stable IDs are `<démarche number><two digits>` so they are unique across démarches.
 */

const LINKED_OPTIONS = [
	'--Culture--',
	'Théâtre',
	'Musique',
	'Arts plastiques',
	'--Sport--',
	'Football',
	'Basket-ball',
	'--Social--',
	'Aide alimentaire',
	'Accompagnement scolaire',
];

/** @param {number} demarche @param {Array<object>} list */
function withIds(demarche, list) {
	let counter = 0;
	const assign = (descs) =>
		descs.map((d) => {
			counter += 1;
			// A descriptor added to a seeded form keeps the others' IDs by naming its own.
			const stableId = d.stableId || demarche * 100 + counter;
			if (d.stableId) counter -= 1;
			const desc = { required: false, description: null, ...d, stableId };
			if (d.children) desc.children = assign(d.children);
			return desc;
		});
	return assign(list);
}

/** Resolve `condition: {label, equals}` into `{stableId, equals}` after ids are assigned. */
function resolveConditions(descs) {
	const byLabel = new Map(descs.map((d) => [d.label, d]));
	for (const d of descs) {
		if (d.condition && d.condition.label)
			d.condition = {
				stableId: byLabel.get(d.condition.label).stableId,
				equals: d.condition.equals,
			};
	}
	return descs;
}

function form(demarche, champs, annotations) {
	const all = withIds(demarche, [...champs, ...annotations.map((a) => ({ ...a, private: true }))]);
	return {
		champs: resolveConditions(all.filter((d) => !d.private)),
		annotations: resolveConditions(all.filter((d) => d.private)),
	};
}

const EVERY_CHAMP = 1001;
const SUBVENTION = 1002;
const OCCUPATION = 1003;
const CHANTIER = 1004;
const TRANSPORT = 1005;

const DEMARCHES = [
	{
		number: EVERY_CHAMP,
		title: 'Démarche de démonstration : tous les types de champs',
		description:
			'Une démarche de test qui contient chaque type de champ et chaque type d’annotation privée.',
		forIndividual: true,
		weight: 0.1,
		service: {
			nom: 'Direction du numérique',
			organisme: 'Ministère de l’Intérieur',
			siret: '11000001900017',
			typeOrganisme: 'administration_centrale',
		},
		groupes: [
			{ label: 'défaut', instructeurs: ['claire.martin', 'paul.bernard'] },
			{ label: 'Instruction renforcée', instructeurs: ['claire.martin', 'sophie.dubois'] },
		],
		labels: ['Urgent', 'À relancer', 'Complet'],
		...form(
			EVERY_CHAMP,
			[
				{ type: 'header_section', label: 'Votre projet', level: 1 },
				{
					type: 'explication',
					label: 'Merci de renseigner chaque champ. Les pièces justificatives sont au format PDF.',
				},
				{ type: 'text', label: 'Nom du projet', required: true },
				{ type: 'textarea', label: 'Description du projet' },
				{ type: 'email', label: 'Adresse électronique de contact' },
				{ type: 'phone', label: 'Téléphone' },
				{ type: 'iban', label: 'IBAN' },
				{ type: 'date', label: 'Date de début' },
				{ type: 'datetime', label: 'Date et heure du rendez-vous' },
				{ type: 'checkbox', label: 'J’accepte les conditions générales' },
				{ type: 'yes_no', label: 'Avez-vous déjà déposé une demande ?' },
				{
					type: 'integer_number',
					label: 'Nombre de bénéficiaires précédents',
					condition: { label: 'Avez-vous déjà déposé une demande ?', equals: true },
				},
				{ type: 'integer_number', label: 'Population concernée' },
				{ type: 'decimal_number', label: 'Montant en euros' },
				{
					type: 'drop_down_list',
					label: 'Type de structure',
					options: ['Association', 'Entreprise', 'Collectivité', 'Particulier'],
					otherOption: true,
				},
				{
					type: 'multiple_drop_down_list',
					label: 'Publics visés',
					options: [
						'Enfants',
						'Adolescents',
						'Adultes',
						'Seniors',
						'Personnes en situation de handicap',
					],
				},
				{ type: 'linked_drop_down_list', label: 'Secteur et activité', options: LINKED_OPTIONS },
				{ type: 'piece_justificative', label: 'Justificatif de domicile', required: true },
				{
					type: 'repetition',
					label: 'Membres du bureau',
					children: [
						{ type: 'text', label: 'Nom et prénom' },
						{
							type: 'drop_down_list',
							label: 'Fonction',
							options: ['Président', 'Trésorier', 'Secrétaire'],
						},
						{ type: 'date', label: 'Date d’entrée' },
					],
				},
				{ type: 'carte', label: 'Emprise du projet' },
				{ type: 'address', label: 'Adresse du projet' },
				{ type: 'communes', label: 'Commune' },
				{ type: 'departements', label: 'Département' },
				{ type: 'regions', label: 'Région' },
				{ type: 'pays', label: 'Pays de naissance' },
				{ type: 'epci', label: 'Intercommunalité' },
				{ type: 'siret', label: 'SIRET de l’entreprise' },
				{ type: 'rna', label: 'Numéro RNA' },
				{ type: 'rnf', label: 'Numéro RNF' },
				{ type: 'civilite', label: 'Civilité' },
				{ type: 'dossier_link', label: 'Dossier lié' },
				{ type: 'engagement_juridique', label: 'Engagement juridique' },
				{ type: 'titre_identite', label: 'Titre d’identité' },
				{ type: 'text', label: 'Commentaire' },
				{ type: 'textarea', label: 'Commentaire' },
				{ type: 'text', label: 'Référence interne du demandeur', sinceRevision: 2 },
			],
			[
				{ type: 'text', label: 'Note interne' },
				{ type: 'textarea', label: 'Avis détaillé' },
				{ type: 'email', label: 'E-mail du référent' },
				{ type: 'checkbox', label: 'Pièces vérifiées' },
				{ type: 'yes_no', label: 'Visite sur place nécessaire' },
				{ type: 'date', label: 'Date de la commission' },
				{ type: 'datetime', label: 'Rendez-vous' },
				{ type: 'integer_number', label: 'Score' },
				{ type: 'decimal_number', label: 'Montant accordé' },
				{ type: 'drop_down_list', label: 'Priorité', options: ['Haute', 'Normale', 'Basse'] },
				{
					type: 'multiple_drop_down_list',
					label: 'Services consultés',
					options: ['Urbanisme', 'Voirie', 'Finances', 'Juridique'],
				},
				{ type: 'dossier_link', label: 'Dossier précédent' },
				{
					type: 'repetition',
					label: 'Contrôles',
					children: [
						{ type: 'date', label: 'Date du contrôle' },
						{ type: 'text', label: 'Résultat' },
					],
				},
				// The types the API writes since PR #13561 (2026), and one it cannot write (communes).
				{ type: 'phone', label: 'Téléphone du référent' },
				{ type: 'iban', label: 'IBAN du bénéficiaire' },
				{ type: 'civilite', label: 'Civilité du référent' },
				{ type: 'pays', label: 'Pays du partenaire' },
				{ type: 'regions', label: 'Région du projet' },
				{ type: 'departements', label: 'Département du projet' },
				{ type: 'piece_justificative', label: 'Rapport de visite' },
				{ type: 'communes', label: 'Commune du site' },
			],
		),
	},
	{
		number: SUBVENTION,
		title: 'Demande de subvention association',
		description:
			'Les associations de la commune peuvent demander une subvention de fonctionnement ou d’investissement.',
		forIndividual: false,
		weight: 0.35,
		service: {
			nom: 'Service vie associative',
			organisme: 'Ville de Lyon',
			siret: '21690123100011',
			typeOrganisme: 'collectivite_territoriale',
		},
		groupes: [
			{ label: 'Associations culturelles', instructeurs: ['claire.martin', 'julien.petit'] },
			{ label: 'Associations sportives', instructeurs: ['julien.petit', 'nadia.robert'] },
			{ label: 'Solidarité', instructeurs: ['nadia.robert'] },
			{ label: 'Ancien groupe (fermé)', closed: true, instructeurs: ['paul.bernard'] },
		],
		labels: ['Urgent', 'Pièce manquante', 'Commission de juin', 'Complet'],
		...form(
			SUBVENTION,
			[
				{ type: 'header_section', label: 'L’association', level: 1 },
				{ type: 'rna', label: 'Numéro RNA de l’association', required: true },
				{ type: 'text', label: 'Nom du projet', required: true },
				{ type: 'textarea', label: 'Objectifs du projet' },
				{
					type: 'drop_down_list',
					label: 'Type d’aide',
					options: [
						'Subvention de fonctionnement',
						'Subvention d’investissement',
						'Aide au projet',
					],
				},
				{ type: 'decimal_number', label: 'Montant demandé (€)', required: true },
				{ type: 'yes_no', label: 'Avez-vous déjà bénéficié d’une aide de la ville ?' },
				{
					type: 'decimal_number',
					label: 'Montant de l’aide précédente (€)',
					condition: { label: 'Avez-vous déjà bénéficié d’une aide de la ville ?', equals: true },
				},
				{ type: 'date', label: 'Date de début du projet' },
				{
					type: 'repetition',
					label: 'Budget prévisionnel',
					children: [
						{ type: 'text', label: 'Poste de dépense' },
						{ type: 'decimal_number', label: 'Montant (€)' },
					],
				},
				{ type: 'piece_justificative', label: 'Statuts de l’association', required: true },
				{ type: 'piece_justificative', label: 'Budget prévisionnel signé' },
				{ type: 'email', label: 'E-mail du trésorier' },
				{ type: 'iban', label: 'IBAN de l’association' },
				{ type: 'checkbox', label: 'Je certifie l’exactitude des informations', required: true },
				{ type: 'text', label: 'Personne à contacter', sinceRevision: 2 },
			],
			[
				{
					type: 'drop_down_list',
					label: 'Avis du service',
					options: ['Favorable', 'Défavorable', 'À compléter'],
				},
				{ type: 'decimal_number', label: 'Montant proposé (€)' },
				{ type: 'text', label: 'Commentaire de l’instructeur' },
				{ type: 'checkbox', label: 'Passage en commission' },
			],
		),
	},
	{
		number: OCCUPATION,
		title: 'Autorisation d’occupation du domaine public',
		description:
			'Demande d’autorisation pour une terrasse, un échafaudage, une benne ou un déménagement sur la voie publique.',
		forIndividual: true,
		weight: 0.3,
		service: {
			nom: 'Direction de la voirie',
			organisme: 'Ville de Bordeaux',
			siret: '21330063500017',
			typeOrganisme: 'collectivite_territoriale',
		},
		groupes: [
			{ label: 'Rive gauche', instructeurs: ['sophie.dubois', 'marc.durand'] },
			{ label: 'Rive droite', instructeurs: ['marc.durand'] },
		],
		labels: ['Urgent', 'Visite à prévoir'],
		...form(
			OCCUPATION,
			[
				{
					type: 'drop_down_list',
					label: 'Nature de l’occupation',
					options: ['Terrasse', 'Échafaudage', 'Benne', 'Déménagement', 'Marché'],
				},
				{ type: 'siret', label: 'SIRET (si professionnel)' },
				{ type: 'address', label: 'Adresse de l’occupation', required: true },
				{ type: 'date', label: 'Date de début' },
				{ type: 'date', label: 'Date de fin' },
				{ type: 'decimal_number', label: 'Surface occupée (m²)' },
				{ type: 'carte', label: 'Plan de l’emprise' },
				{ type: 'piece_justificative', label: 'Attestation d’assurance' },
				{ type: 'textarea', label: 'Précisions' },
				// Links to earlier dossiers, sometimes of another démarche (seed.js: linkOutsideScope).
				{ type: 'dossier_link', label: 'Autorisation précédente', stableId: 100399 },
			],
			[
				{ type: 'integer_number', label: 'Redevance (€)' },
				{ type: 'date', label: 'Date de l’arrêté' },
				{ type: 'text', label: 'Numéro d’arrêté' },
			],
		),
	},
	{
		number: CHANTIER,
		title: 'Déclaration de chantier',
		description:
			'Déclaration préalable des chantiers ayant un impact sur la circulation ou le voisinage.',
		forIndividual: false,
		weight: 0.15,
		service: {
			nom: 'Pôle travaux',
			organisme: 'Nantes Métropole',
			siret: '24440040400011',
			typeOrganisme: 'collectivite_territoriale',
		},
		groupes: [{ label: 'défaut', instructeurs: ['marc.durand', 'nadia.robert'] }],
		labels: ['Chantier de nuit', 'Contrôlé'],
		...form(
			CHANTIER,
			[
				{ type: 'siret', label: 'SIRET de l’entreprise', required: true },
				{ type: 'text', label: 'Nature des travaux' },
				{ type: 'communes', label: 'Commune du chantier' },
				{ type: 'address', label: 'Adresse du chantier' },
				{ type: 'datetime', label: 'Début des travaux' },
				{ type: 'integer_number', label: 'Durée (jours)' },
				{
					type: 'multiple_drop_down_list',
					label: 'Nuisances prévues',
					options: ['Bruit', 'Poussière', 'Circulation alternée', 'Coupure d’eau'],
				},
				{ type: 'yes_no', label: 'Travaux de nuit' },
				{
					type: 'repetition',
					label: 'Sous-traitants',
					children: [
						{ type: 'siret', label: 'SIRET du sous-traitant' },
						{ type: 'text', label: 'Lot' },
					],
				},
				{ type: 'piece_justificative', label: 'Plan de masse' },
			],
			[
				{ type: 'yes_no', label: 'Contrôle prévu' },
				{ type: 'date', label: 'Date du contrôle' },
			],
		),
	},
	{
		number: TRANSPORT,
		title: 'Inscription au transport scolaire',
		description: 'Inscription annuelle des élèves au réseau de transport scolaire.',
		forIndividual: true,
		weight: 0.1,
		service: {
			nom: 'Service des transports',
			organisme: 'Région Bretagne',
			siret: '23350001600040',
			typeOrganisme: 'collectivite_territoriale',
		},
		groupes: [{ label: 'défaut', instructeurs: ['julien.petit'] }],
		labels: ['Boursier'],
		...form(
			TRANSPORT,
			[
				{ type: 'text', label: 'Nom de l’élève', required: true },
				{ type: 'text', label: 'Prénom de l’élève', required: true },
				{ type: 'date', label: 'Date de naissance' },
				{ type: 'communes', label: 'Commune de résidence' },
				{
					type: 'drop_down_list',
					label: 'Établissement',
					options: ['Collège Jean Moulin', 'Lycée Chateaubriand', 'Collège Anne de Bretagne'],
				},
				{
					type: 'drop_down_list',
					label: 'Classe',
					options: ['6e', '5e', '4e', '3e', 'Seconde', 'Première', 'Terminale'],
				},
				{ type: 'checkbox', label: 'J’accepte le règlement du transport scolaire' },
				// A descriptor type of newer servers only (schema 13a480b5, PR #13151): its champ is
				// served as a TextChamp (ChampType.resolve_type's default), blank here.
				{ type: 'etudiant_boursier', label: 'Statut d’étudiant boursier', stableId: 100599, sinceRevision: 2 },
			],
			[{ type: 'text', label: 'Numéro de carte' }],
		),
	},
];

const INSTRUCTEURS = [
	'claire.martin',
	'paul.bernard',
	'sophie.dubois',
	'julien.petit',
	'nadia.robert',
	'marc.durand',
];

module.exports = {
	form,
	DEMARCHES,
	INSTRUCTEURS,
	EVERY_CHAMP,
	SUBVENTION,
	OCCUPATION,
	CHANTIER,
	TRANSPORT,
};
