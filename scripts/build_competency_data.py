#!/usr/bin/env python3
"""Build the default competency framework from the DigComp 3.0 data supplement.

Reads ``../shared/data/digcomp/digcomp3_{competences,proficiency_levels,competence_statements}.csv``
(EU JRC, CC BY 4.0) and writes ``competency_xblock/data/competency/digcomp3.json``:

* 5 areas and 21 competences with their English names and descriptors verbatim
  (surrounding whitespace trimmed);
* the 4-level proficiency scale (Basic, Intermediate, Advanced, Highly advanced) with the
  four-level descriptions verbatim: coarse enough for an honest self-rating, and each level
  maps to two of DigComp's eight levels;
* per competence and level one competence statement verbatim (chosen by us as the most
  concrete "can do" statement; its id is kept in ``STATEMENTS`` below), as the plain-language
  descriptor a learner rates against;
* Danish text for all of it, written by competency_xblock (not an official JRC translation).

Run ``python scripts/build_competency_data.py`` to rebuild, ``--check`` to verify the shipped
file is up to date.  The product never reads ``../shared`` at run time.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "digcomp"
OUTPUT = ROOT / "competency_xblock" / "data" / "competency" / "digcomp3.json"

LEVELS = {  # DigComp 3.0 proficiency level name -> (our id, Danish label, Danish description)
    "Basic": ("basic", "Grundlæggende",
              "På grundlæggende niveau husker og udfører man enkle opgaver med vejledning "
              "efter behov."),
    "Intermediate": ("intermediate", "Øvet",
                     "På øvet niveau finder og udfører man veldefinerede opgaver og løser "
                     "veldefinerede problemer selvstændigt."),
    "Advanced": ("advanced", "Avanceret",
                 "På avanceret niveau vurderer og anvender man selvstændigt løsninger på en "
                 "række komplekse opgaver, tilpasser sig forskellige sammenhænge for at "
                 "vurdere og udføre opgaver hensigtsmæssigt og vejleder andre, hvis og når "
                 "det er nødvendigt."),
    "Highly advanced": ("highly_advanced", "Meget avanceret",
                        "På meget avanceret niveau vurderer, evaluerer og løser man meget "
                        "komplekse eller specialiserede problemer for at skabe nye løsninger "
                        "eller tilpasse eksisterende og leder og vejleder andre, hvis og når "
                        "det er nødvendigt."),
}

AREAS_DA = {
    "1": ("Informationssøgning, -vurdering og -håndtering",
          "At formulere informationsbehov og at søge efter, finde og hente digital information "
          "og digitalt indhold. At bedømme, hvor relevant kilden og dens indhold er i digitale "
          "miljøer. At vurdere digitale kilder, indhold og de processer, der har skabt dem, "
          "kritisk. At lagre, håndtere, organisere og analysere digital information og data."),
    "2": ("Kommunikation og samarbejde",
          "At interagere, dele, kommunikere og samarbejde i digitale miljøer med bevidsthed om "
          "kulturel, generationsmæssig og anden mangfoldighed og om digitale teknologiers "
          "muligheder og begrænsninger. At deltage i samfundet gennem digitale teknologier. "
          "At hævde sine rettigheder og træffe valg i digitale miljøer. At styre sin digitale "
          "tilstedeværelse, identitet og sit digitale omdømme."),
    "3": ("Skabelse af digitalt indhold",
          "At skabe og redigere digitalt indhold. At forbedre og integrere information og "
          "indhold i en eksisterende vidensbase med forståelse for, hvordan ophavsret og "
          "licenser skal anvendes, og med en etisk og ansvarlig tilgang til at skabe, forbedre "
          "og integrere digitalt indhold. At vide, hvordan man bruger datalogisk tænkning og "
          "programmeringsteknikker til at give et computersystem instruktioner."),
    "4": ("Sikkerhed, trivsel og ansvarlig brug",
          "At beskytte enheder, indhold, personoplysninger og privatliv i digitale miljøer. At "
          "støtte egen og andres fysiske, mentale og sociale trivsel og at være bevidst om "
          "digitale teknologiers fordele og risici for trivsel og social inklusion. At være "
          "bevidst om miljøpåvirkningen fra digitale teknologier og brugen af dem, at handle "
          "for at mindske den og at bruge digitale teknologier til at fremme bæredygtighed."),
    "5": ("Problemidentifikation og problemløsning",
          "At identificere og vurdere behov og at bruge digitale teknologier og tilpasse "
          "digitale miljøer for at imødekomme disse behov. At identificere og løse tekniske og "
          "begrebsmæssige problemer og problemsituationer i digitale miljøer. At bruge "
          "digitale teknologier til at forbedre processer og produkter eller skabe nye "
          "løsninger. At opbygge evnen til at handle selvstændigt i digitale miljøer. At holde "
          "sig orienteret om den digitalteknologiske udvikling og dens konsekvenser."),
}

COMPETENCES_DA = {
    "1.1": ("Browsing, søgning og filtrering af information",
            "At formulere informationsbehov, at vide hvordan og hvor man søger efter "
            "information og indhold i digitale miljøer, og at få adgang til og navigere mellem "
            "dem. At vælge passende digitale værktøjer til at oprette, gennemføre og opdatere "
            "søgninger i digitale miljøer og at kunne skelne mellem relevant og irrelevant "
            "information og indhold."),
    "1.2": ("Vurdering af information",
            "At vurdere og sammenligne, hvor troværdige og pålidelige kilder til information "
            "og indhold i digitale miljøer er. At fortolke og kritisk vurdere information og "
            "indhold i digitale miljøer og de processer, der har skabt dem."),
    "1.3": ("Håndtering af information",
            "At organisere, lagre og genfinde information og data i digitale miljøer. At "
            "indsamle, behandle og analysere information og data i strukturerede digitale "
            "miljøer."),
    "2.1": ("Interaktion gennem og med digitale teknologier",
            "At interagere gennem og med forskellige digitale teknologier og at bruge passende "
            "digital kommunikation i en given sammenhæng."),
    "2.2": ("Deling gennem digitale teknologier",
            "At dele information og indhold etisk og ansvarligt med andre gennem passende "
            "digitale teknologier."),
    "2.3": ("Medborgerskab gennem digitale teknologier",
            "At deltage i samfundet gennem etisk og ansvarlig brug af digitale platforme og "
            "tjenester. At søge muligheder for selvbestemmelse og deltagelse gennem passende "
            "digitale teknologier. At kende og hævde sine rettigheder og træffe valg i digitale "
            "miljøer."),
    "2.4": ("Samarbejde gennem digitale teknologier",
            "At bruge digitale teknologier etisk og ansvarligt til samarbejde og til fælles "
            "opbygning og skabelse af information, ressourcer og viden."),
    "2.5": ("Digital adfærd",
            "At kende adfærdsnormer og vide, hvordan man opfører sig respektfuldt, når man "
            "bruger digitale teknologier og interagerer i digitale miljøer. At tilpasse "
            "kommunikationen til den konkrete sammenhæng og at være bevidst om og respektere "
            "kulturel, generationsmæssig og anden mangfoldighed i digitale miljøer."),
    "2.6": ("Styring af digital identitet",
            "At styre en eller flere digitale identiteter. At handle for at beskytte sit "
            "digitale omdømme (hvordan man opfattes ud fra sin tilstedeværelse online) og at "
            "styre sit digitale fodaftryk (de data, der skabes gennem ens brug af digitale "
            "platforme og tjenester og af dem)."),
    "3.1": ("Udvikling af digitalt indhold",
            "At bruge digitale teknologier etisk og ansvarligt til at skabe og redigere "
            "forskellige slags indhold. At udtrykke sig gennem digitale medier."),
    "3.2": ("Integration og videreudvikling af digitalt indhold",
            "At ændre, forfine og integrere ny information og nyt indhold i eksisterende viden "
            "og ressourcer for at skabe nyt og originalt indhold og ny viden."),
    "3.3": ("Ophavsret og licenser",
            "At forstå, hvordan ophavsret og licenser og de juridiske og etiske spørgsmål, der "
            "knytter sig til dem, gælder for digitalt indhold, og hvordan de anvendes korrekt."),
    "3.4": ("Datalogisk tænkning og programmering",
            "At forstå og udføre de trin, der skal til for at analysere et problem, genkende "
            "delproblemer og planlægge og udvikle en række instruktioner, som et computersystem "
            "kan følge for at løse et givet problem eller udføre en bestemt opgave."),
    "4.1": ("Beskyttelse af enheder",
            "At bruge sikkerheds- og cybersikkerhedsforanstaltninger til at beskytte digitale "
            "enheder og indhold. At være bevidst om, at risici og trusler i digitale miljøer "
            "hele tiden ændrer sig, og at tage behørigt hensyn til sikkerheden for digitale "
            "enheder og deres indhold."),
    "4.2": ("Beskyttelse af personoplysninger og privatliv",
            "At kende og udøve sine rettigheder med hensyn til personoplysninger og privatliv i "
            "digitale miljøer. At vurdere og styre risici for privatlivet og beskytte "
            "personoplysninger og privatliv i digitale miljøer. At bruge og dele egne og "
            "andres personoplysninger sikkert, etisk og ansvarligt."),
    "4.3": ("Støtte til trivsel",
            "At bruge digitale teknologier på måder, der støtter trivsel og inklusion. At "
            "mindske risici og trusler mod egen og andres fysiske, mentale og sociale trivsel "
            "ved brug af digitale teknologier. At skabe balance mellem brugen af digitale "
            "teknologier og aktiviteter offline for at støtte trivsel. At handle for at "
            "beskytte sig selv og andre mod mulige farer i digitale miljøer (fx digital "
            "mobning og skadeligt indhold) og at vide, hvordan man reagerer på dem."),
    "4.4": ("Digitale teknologiers miljøpåvirkning",
            "At være bevidst om digitale teknologiers miljøpåvirkning, herunder produktion, "
            "drift, reparation, genanvendelse og bortskaffelse af enheder, infrastruktur til "
            "datalagring, energiforbrug og brug af værktøjer og programmer. At handle for at "
            "mindske denne påvirkning og at bruge digitale teknologier til at fremme "
            "bæredygtighed."),
    "5.1": ("Identifikation og løsning af tekniske problemer",
            "At identificere tekniske problemer ved brug af digitale enheder og i digitale "
            "miljøer og at løse dem på forskellige måder."),
    "5.2": ("Identifikation af behov og digitalteknologiske løsninger",
            "At vurdere egne og andres behov og at vurdere, vælge, bruge og tilpasse digitale "
            "teknologier til at imødekomme dem. At justere og tilpasse digitale miljøer til "
            "egne og andres sammenhænge, mål og behov (fx tilgængelighed)."),
    "5.3": ("Kreative løsninger med digitale teknologier",
            "At bruge digitale teknologier til at forbedre processer og produkter eller skabe "
            "nye løsninger med mennesket i centrum. At indgå, alene og sammen med andre, i "
            "kritisk tænkning og kreativ og målrettet brug af digitale teknologier for at "
            "forstå og løse begrebsmæssige problemer og problemsituationer."),
    "5.4": ("Identifikation og dækning af behov for digitale kompetencer",
            "At erkende, hvor ens egne digitale kompetencer skal forbedres eller opdateres. At "
            "dække behovet for digitale kompetencer som en del af livslang læring og opbygge "
            "kapacitet og selvstændighed. At støtte andre i deres udvikling af digitale "
            "kompetencer. At holde sig orienteret om den digitalteknologiske udvikling og dens "
            "personlige, faglige og samfundsmæssige konsekvenser."),
}

# One competence statement per competence and level: statement id -> Danish text.
STATEMENTS = {
    "CS1.1.04": "Bruge digitale søgeværktøjer til at udføre, forfine og opdatere enkle "
                "informationssøgninger.",
    "CS1.1.08": "Omsætte informationsbehov til effektive digitale søgninger, kommandoer eller "
                "formuleringer og bruge passende strategier til at forfine eller filtrere "
                "resultaterne.",
    "CS1.1.10": "Kombinere forskellige digitale søgeværktøjer og -strategier for at dække "
                "komplekse informationsbehov.",
    "CS1.1.14": "Hjælpe andre med at udføre og forfine komplekse eller specialiserede "
                "søgninger i digitale miljøer.",
    "CS1.2.06": "Foretage en grundlæggende vurdering af, hvor pålidelige og troværdige digitale "
                "informationskilder og indhold er.",
    "CS1.2.13": "Kritisk vurdere pålideligheden af kilder, information og indhold i digitale "
                "miljøer med blik for AI-systemers rolle, personalisering og kommercielle "
                "eller andre interesser.",
    "CS1.2.17": "Grundigt vurdere pålideligheden og nøjagtigheden af mange forskellige "
                "digitale kilder, informationer og indhold med blik for en række mulige "
                "påvirkningsfaktorer.",
    "CS1.2.19": "Systematisk vurdere og evaluere digitale kilder, informationer og indhold som "
                "grundlag for komplekse beslutninger.",
    "CS1.3.03": "Downloade, gemme, finde frem, flytte og slette digitale filer.",
    "CS1.3.08": "Organisere mapper og håndtere, gemme og slette filer på digitale enheder, "
                "eksterne lagringsmedier og i cloudtjenester.",
    "CS1.3.15": "Bruge en række digitale værktøjer og metoder til at indsamle og behandle "
                "mange slags data og informationer.",
    "CS1.3.19": "Udvikle og gennemføre strategier for kompleks eller specialiseret håndtering, "
                "behandling og analyse af data og informationer i digitale miljøer.",
    "CS2.1.01": "Kende og bruge grundlæggende funktioner i digitale kommunikationsværktøjer til "
                "at kommunikere med enkeltpersoner og grupper.",
    "CS2.1.09": "Bruge mange funktioner i forskellige digitale kommunikationsværktøjer til at "
                "kommunikere med og administrere enkeltpersoner, grupper og kanaler.",
    "CS2.1.13": "Kombinere digitale kommunikationsværktøjer og -metoder til komplekse "
                "kommunikations- og interaktionsopgaver.",
    "CS2.1.20": "Vejlede, støtte eller gå forrest i den avancerede brug af kommunikations- og "
                "interaktionsværktøjer.",
    "CS2.2.06": "Bruge enkle fremgangsmåder til at dele information og indhold i digitale "
                "miljøer på en passende måde og i overensstemmelse med formålet.",
    "CS2.2.09": "Beskrive og bruge effektive og etiske måder at dele information og indhold på "
                "i forskellige digitale miljøer.",
    "CS2.2.13": "Rådgive andre om effektive og etiske måder at dele information og indhold på i "
                "digitale miljøer.",
    "CS2.2.14": "Facilitere kompleks deling af information på tværs af forskellige digitale "
                "teknologier og undersøge nye og alternative muligheder efter behov.",
    "CS2.3.01": "Kende de vigtigste formål og funktioner i digitale platforme og tjenester og "
                "bruge dem med hjælp efter behov.",
    "CS2.3.12": "Bruge digitale platforme og tjenester selvstændigt og effektivt.",
    "CS2.3.17": "Hjælpe andre med at finde muligheder for og deltage i digitale miljøer for at "
                "styrke sig selv eller fællesskabet og deltage i samfundslivet.",
    "CS2.3.20": "Hjælpe andre med at forstå de vigtigste bestemmelser i digital lovgivning i en "
                "konkret sammenhæng.",
    "CS2.4.01": "Deltage i samarbejde i grupper via digitale samarbejdsværktøjer og kende deres "
                "fordele og begrænsninger.",
    "CS2.4.04": "Oprette, styre og bidrage effektivt til enkle samarbejdsopgaver i digitale "
                "miljøer.",
    "CS2.4.09": "Lede samarbejde i digitale miljøer.",
    "CS2.4.12": "Udforme komplekse eller specialiserede samarbejdsstrategier eller -systemer "
                "til digitale miljøer.",
    "CS2.5.04": "Bruge en passende tone og visuelle udtryk som emoji i formelle og uformelle "
                "digitale sammenhænge.",
    "CS2.5.06": "Prioritere en adfærd, der fremmer inklusion og et positivt digitalt omdømme "
                "for en selv og andre.",
    "CS2.5.08": "Reagere med effektiv og respektfuld kommunikation og adfærd i vanskelige eller "
                "komplekse situationer i digitale miljøer.",
    "CS2.5.15": "Lede eller bidrage til politikker eller initiativer for digital adfærd.",
    "CS2.6.06": "Kende og bruge enkle tiltag, fx at begrænse sporing og slette browserhistorik, "
                "til at styre sin digitale identitet.",
    "CS2.6.10": "Tilpasse indstillinger på enheder og i apps, onlinekonti og aktivitetssporing "
                "for at styre sin digitale identitet.",
    "CS2.6.15": "Pleje og styre digitale identiteter til personlige, faglige og/eller "
                "organisatoriske formål på tværs af forskellige platforme og tjenester.",
    "CS2.6.19": "Rådgive andre om komplekse spørgsmål om styring af digital identitet og de "
                "rettigheder, der knytter sig til den.",
    "CS3.1.06": "Bruge grundlæggende funktioner i værktøjer til indholdsproduktion til at skabe "
                "og redigere digitalt indhold.",
    "CS3.1.11": "Vurdere målgruppens behov for tilgængelighed og inklusion og skabe og redigere "
                "digitalt indhold derefter.",
    "CS3.1.14": "Skabe og redigere komplekst eller specialiseret digitalt indhold, tilpasset "
                "formål og målgruppe.",
    "CS3.1.18": "Lede eller bidrage til komplekse eller specialiserede initiativer inden for "
                "produktion af digitalt indhold.",
    "CS3.2.04": "Ændre digitalt indhold med grundlæggende funktioner til redigering, "
                "formatering og sammenfletning.",
    "CS3.2.06": "Tilpasse eller sammenflette digitalt indhold, så det opfylder krav til format, "
                "struktur og målgruppe.",
    "CS3.2.09": "Tilpasse eller sammenflette mange slags digitalt indhold, så det opfylder "
                "komplekse krav til format, struktur og målgruppe.",
    "CS3.2.14": "Hjælpe andre med komplekse opgaver med at sammenflette eller videreudvikle "
                "digitalt indhold.",
    "CS3.3.04": "Bruge og dele digitalt indhold i overensstemmelse med grundlæggende juridiske "
                "og etiske retningslinjer og finde digitalt indhold, der må bruges gratis.",
    "CS3.3.10": "Anvende juridiske og etiske retningslinjer korrekt, når man bruger og deler "
                "digitalt indhold.",
    "CS3.3.13": "Vurdere og korrekt anvende juridiske og etiske retningslinjer for brug og "
                "deling af digitalt indhold i komplekse sammenhænge (fx i forbindelse med "
                "AI-systemer).",
    "CS3.3.17": "Lede eller bidrage til politikker eller retningslinjer om ophavsret og "
                "licenser i digitale sammenhænge.",
    "CS3.4.04": "Beskrive enkle trinfølger med symboler, tolke enkle symbolske trinfølger og "
                "give en computer enkle instruktioner til at udføre simple opgaver.",
    "CS3.4.11": "Omsætte enkel information til logiske operationer, udvikle enkle programmer "
                "med kontrolstrukturer og lave visuelle fremstillinger af enkle algoritmer.",
    "CS3.4.17": "Finde rutineopgaver og automatisere dem helt eller delvist med "
                "programmeringsværktøjer eller AI-systemer.",
    "CS3.4.21": "Lede eller bidrage til komplekse projekter om anvendelse af datalogisk "
                "tænkning, programmering eller AI-systemer, herunder udvikling, validering og "
                "idriftsættelse af programmer eller AI-systemer.",
    "CS4.1.04": "Kende og bruge grundlæggende beskyttelse af enheder som antivirusprogrammer, "
                "skærmlås, stærke adgangskoder og flerfaktorgodkendelse.",
    "CS4.1.06": "Beskrive de vigtigste kendetegn ved malware og bruge forskellige teknikker til "
                "at forebygge malware og beskytte enheder og deres indhold.",
    "CS4.1.11": "Hjælpe andre med at tage grundlæggende cybersikkerhedstiltag i brug, fx "
                "antivirusprogrammer, skærmlås, stærke adgangskoder og flerfaktorgodkendelse.",
    "CS4.1.15": "Støtte andre i at opbygge deres evne til at beskytte enheder og deres indhold "
                "mod digitale trusler.",
    "CS4.2.04": "Kende risiciene ved at dele personoplysninger i digitale miljøer, herunder "
                "særlige risici i forbindelse med AI-systemer.",
    "CS4.2.15": "Håndtere personoplysninger og privatliv sikkert i forskellige digitale "
                "miljøer, herunder ved brug af værktøjer til beskyttelse af privatlivet.",
    "CS4.2.18": "Hjælpe andre med at bruge grundlæggende strategier til at beskytte "
                "personoplysninger og styre deres privatliv i digitale miljøer.",
    "CS4.2.21": "Lede eller bidrage til udformningen af strategier for beskyttelse af "
                "personoplysninger i digitale sammenhænge.",
    "CS4.3.06": "Foretage en grundlæggende vurdering af sine digitale vaner i forhold til sin "
                "fysiske, mentale og sociale trivsel, være opmærksom på tegn på problematisk "
                "brug og finde og bruge strategier, der støtter ens trivsel.",
    "CS4.3.12": "Bruge strategier til at beskytte sig mod og reagere effektivt på skadelig "
                "adfærd, skadeligt indhold og manipulerende design i digitale miljøer og til at "
                "støtte og bevare egen og andres trivsel.",
    "CS4.3.16": "Hjælpe andre med at gennemgå og tilpasse deres brug af digitale teknologier og "
                "blive opmærksomme på skadelig adfærd, skadeligt indhold og manipulerende "
                "design i digitale miljøer.",
    "CS4.3.21": "Lede eller bidrage til initiativer, der støtter trivsel og/eller inklusion i "
                "digitale miljøer.",
    "CS4.4.05": "Kende og bruge enkle måder at mindske energi- og dataforbruget på, når man "
                "bruger digitale teknologier.",
    "CS4.4.10": "Vurdere og bruge forskellige strategier til at mindske miljøbelastningen fra "
                "ens brug af digitale teknologier og enheder.",
    "CS4.4.13": "Hjælpe andre med at vurdere deres brug af digitale teknologier for at finde "
                "måder at mindske miljøbelastningen på.",
    "CS4.4.16": "Lede eller bidrage til initiativer for digital bæredygtighed.",
    "CS5.1.03": "Genkende almindelige tekniske problemer og følge en vejledning for at hjælpe "
                "med at løse dem.",
    "CS5.1.06": "Fejlsøge tekniske problemer i digitale miljøer med forskellige søge- og "
                "problemløsningsstrategier (med hjælp fra mennesker eller digitale "
                "teknologier).",
    "CS5.1.09": "Hjælpe andre med at finde årsagen til og løse tekniske problemer i digitale "
                "miljøer.",
    "CS5.1.12": "Udvikle eller gennemføre undervisning, der støtter brugen af digitale enheder "
                "eller systemer.",
    "CS5.2.03": "Kende formålet med tilgængelig teknologi og eksempler på almindelige "
                "hjælpemiddelteknologier.",
    "CS5.2.06": "Tilpasse funktioner i sit digitale miljø til egne og andres behov og "
                "præferencer.",
    "CS5.2.10": "Støtte andre i at bruge digitale hjælpeværktøjer og tilpasninger af digitale "
                "miljøer på et oplyst grundlag.",
    "CS5.2.12": "Vurdere enkeltpersoners komplekse behov for at finde og/eller udforme "
                "skræddersyede digitale løsninger.",
    "CS5.3.02": "Kende eksempler på, hvordan digitale teknologier bruges til at løse virkelige "
                "problemer og til at forbedre eller skabe nye løsninger, produkter eller "
                "tjenester.",
    "CS5.3.06": "Bruge forskellige digitale teknologier ansvarligt og etisk til at løse "
                "problemer alene eller i en gruppe.",
    "CS5.3.07": "Bruge forskellige digitale teknologier effektivt, ansvarligt og etisk med "
                "mennesket i centrum til at hjælpe med at løse komplekse problemer.",
    "CS5.3.11": "Lede eller bidrage til initiativer, der bruger digitale teknologier til at "
                "forbedre eller finde nye løsninger på virkelige problemer.",
    "CS5.4.03": "Finde muligheder for at forbedre sine digitale kompetencer.",
    "CS5.4.05": "Vurdere sine egne digitale kompetencer og kompetencebehov præcist.",
    "CS5.4.09": "Støtte andre i at udvikle selvtillid, selvstændighed og evne til at løse "
                "problemer i digitale miljøer.",
    "CS5.4.12": "Være mentor for andre, når de skal finde og dække deres behov for digitale "
                "kompetencer.",
}

ATTRIBUTION = {
    "source": "DigComp 3.0: European Digital Competence Framework, fifth edition, data "
              "supplement (24 Nov 2025). European Commission, Joint Research Centre (JRC), "
              "report JRC144121.",
    "url": "https://joint-research-centre.ec.europa.eu/projects-and-activities/education-and-"
           "training/digital-transformation-education/digital-competence-framework-citizens-"
           "digcomp_en",
    "licence": "CC BY 4.0",
    "notice": {
        "en": "Areas, competences, level descriptions and one competence statement per "
              "competence and level are quoted from DigComp 3.0 (© European Union, CC BY 4.0). "
              "The choice of statements and the four-level scale are ours.",
        "da": "Områder, kompetencer, niveaubeskrivelser og ét kompetenceudsagn pr. kompetence "
              "og niveau er hentet fra DigComp 3.0 (© Den Europæiske Union, CC BY 4.0). Valget "
              "af udsagn og firetrinsskalaen er vores.",
    },
    "translations": {
        "da": "Danish translation by competency_xblock, not an official JRC translation.",
    },
}


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def build(source: Path) -> dict:
    competences = _read(source / "digcomp3_competences.csv")
    proficiency = _read(source / "digcomp3_proficiency_levels.csv")
    statements = _read(source / "digcomp3_competence_statements.csv")

    levels, seen = [], set()
    for row in proficiency:
        name = row["Proficiency level name"]
        if name in seen:
            continue
        seen.add(name)
        level_id, label_da, description_da = LEVELS[name]
        levels.append({"id": level_id, "label": {"en": name, "da": label_da},
                       "description": {"en": row["Four level proficiency level description"],
                                       "da": description_da}})
    level_by_name = {name: spec[0] for name, spec in LEVELS.items()}

    chosen: dict[str, dict[str, dict]] = {}
    for row in statements:
        sid = row["Competence statement ID"]
        if sid in STATEMENTS:
            level_id = level_by_name[row["Proficiency level name"]]
            chosen.setdefault(row["Competence number"], {})[level_id] = {
                "en": row["Competence statement"], "da": STATEMENTS[sid]}
    missing = set(STATEMENTS) - {row["Competence statement ID"] for row in statements}
    if missing:
        raise SystemExit(f"statements not found in the source: {sorted(missing)}")

    areas: list[dict] = []
    for row in competences:
        area_id = row["Competence area number"]
        if not areas or areas[-1]["id"] != area_id:
            title_da, description_da = AREAS_DA[area_id]
            areas.append({
                "id": area_id,
                "title": {"en": row["Competence area name"], "da": title_da},
                "description": {"en": row["Competence area descriptor"], "da": description_da},
                "competences": [],
            })
        comp_id = row["Competence number"]
        title_da, description_da = COMPETENCES_DA[comp_id]
        comp_levels = chosen.get(comp_id, {})
        if set(comp_levels) != {lv["id"] for lv in levels}:
            raise SystemExit(f"competence {comp_id}: need one statement per level, "
                             f"have {sorted(comp_levels)}")
        areas[-1]["competences"].append({
            "id": comp_id,
            "title": {"en": row["Competence name"], "da": title_da},
            "description": {"en": row["Competence descriptor"], "da": description_da},
            "levels": {lv["id"]: comp_levels[lv["id"]] for lv in levels},
        })

    return {
        "schema_version": 1,
        "id": "digcomp-3.0",
        "title": {"en": "DigComp 3.0: digital competence framework",
                  "da": "DigComp 3.0: referenceramme for digitale kompetencer"},
        "version": "3.0",
        "description": {
            "en": "The EU's framework for citizens' digital competence: 5 areas, 21 competences. "
                  "Rate yourself on the four proficiency levels.",
            "da": "EU's referenceramme for borgernes digitale kompetencer: 5 områder, 21 "
                  "kompetencer. Vurdér dig selv på de fire færdighedsniveauer.",
        },
        "attribution": ATTRIBUTION,
        "levels": levels,
        "areas": areas,
    }


def render(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="folder with the digcomp3_*.csv files")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the output file is not what the build would write")
    args = parser.parse_args(argv)
    text = render(build(args.source))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date; run scripts/build_competency_data.py",
                  file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
