"""A small English-Swedish lexicon of everyday workplace words, so that a Swedish message finds an English
article and the other way round ("kalender" and "calendar", "lösenord" and "password").

The words of one line are conflated into one index term by the stemmer (see `knowledge.text.Stemmer`): the
line's first word's stem stands for all of them, on both the index and the query side, so a document that
says a thing in both languages is not counted twice, and the index costs nothing extra.

The list is general vocabulary of a service desk's usual teams (IT, HR, finance, facilities,
communications) and of office life, written from the languages, not from any company's catalogue, and it
is meant to stay that way: a desk's own jargon belongs in the `synonyms` of its configuration. Only
unambiguous words belong here: a Swedish word that is also an English word of another meaning ("kort" is
both a card and short; "lag" both a team and a delay) would merge two needs into one."""

from __future__ import annotations

# One concept a line: English words | Swedish words, in their plain (lemma) form and folded like all text
# (å, ä, ö written a, a, o); the stemmer takes care of inflections. Single words only: a phrase cannot be
# one index term.
_LINES = """
computer laptop pc | dator datorer laptopen
screen monitor display | skarm bildskarm
keyboard | tangentbord
mouse | mus datormus
print printout | utskrift
scanner scan | skanner skanna
charger | laddare
cable cord | sladd kabel
headset headphones | horlurar
camera webcam | kamera webbkamera
phone mobile smartphone | telefon mobil mobiltelefon
battery | batteri
software program | programvara mjukvara
install installation | installera installation
update upgrade | uppdatera uppdatering uppgradera
license licence | licens
password passphrase | losenord
account | konto
login | inloggning
username | anvandarnamn
email mail | mejl epost
inbox | inkorg
attachment | bilaga
calendar | kalender
meeting | mote
invitation invite | inbjudan
folder directory | mapp
file | fil
document | dokument
share | dela
access permission | behorighet atkomst
network | natverk
wireless | tradlos
guest | gast
visitor | besokare
virus malware | virus skadeprogram
fake fraud scam | falsk bedrageri bluff
suspicious | misstankt
link | lank
error wrong fault | fel felmeddelande
broken | trasig sonder
repair fix | reparera reparation
replace replacement | ersatta
slow | langsam seg
crash | krasch krascha
backup | sakerhetskopia
signature | signatur
storage | lagring
order | bestalla bestallning
request | begaran
help support | hjalp support
question | fraga
problem issue | problem
new | ny nya
old | gammal
self | sjalv
change | andring
move | flytta flytt
return | aterlamna
employee staff | anstalld
colleague coworker | kollega
manager boss | chef
customer client | kund
consultant | konsult
salary wage | lon
payslip paycheck | lonebesked lonespecifikation
tax | skatt
vacation holiday | semester
leave | ledighet ledig
sick illness | sjuk sjukdom
child children kid | barn
parental | foralder
pregnant | gravid
doctor | lakare
wellness fitness | friskvard
insurance | forsakring
contract | avtal kontrakt
certificate | intyg
reference | referens
hire recruit recruitment | anstalla rekrytera rekrytering
resign resignation | uppsagning
retire retirement | pensionera
training course | utbildning kurs
workplace | arbetsplats
schedule | schema
hours | timmar
overtime | overtid
timesheet | tidrapport tidrapportering
week | vecka
month | manad
day | dag
morning | morgon
evening | kvall
weekend | helg
travel trip | tjansteresa
flight fly | flyg flyga
hotel | hotell
car | bil
parking | parkering
ticket | biljett
booking book | bokning boka
receipt | kvitto
expense expenses | utlagg
invoice bill | faktura
payment pay | betalning betala
refund reimbursement | ersattning aterbetalning
purchase buy | kop kopa inkop
cost price | kostnad pris
money | pengar
allowance grant | bidrag
mileage | milersattning
office | kontor
desk | skrivbord
chair | stol
table | bord
room | rum
kitchen | kok
toilet bathroom | toalett
door | dorr
key | nyckel
lock | las
window | fonster
light lamp | lampa belysning
heating heat warm hot | varme varm
cold | kall
air ventilation | luft ventilation
water | vatten
clean cleaning | stada stadning
furniture | mobler
height | hojd
adjustable | justerbar
floor | vaning
building | byggnad
entrance | entre ingang
elevator lift | hiss
noise noisy | buller
alarm | larm
safety security | sakerhet
package parcel | paket
delivery | leverans
website web | webbplats hemsida
newsletter | nyhetsbrev
logo | logotyp
photo picture | foto bild
translation translate | oversattning oversatta
language | sprak
badge keycard | passerkort nyckelkort passerbricka
time | tid
home | hemma
approve approval | godkanna godkannande attestera
report | anmala anmalan rapport rapportera
register | registrera
apply | ansoka ansokan
cancel | avboka avbryta
open | oppna
close | stanga
last | sista
first | forsta
job | jobb
equipment | utrustning
tool | verktyg
forget forgot | glomma glomt
lose lost | tappa forlora borttappad
damage damaged | skada skadad
""".strip()


def groups() -> list[tuple[str, ...]]:
    """The lexicon's concepts: each a tuple of folded words, the first one English."""
    out: list[tuple[str, ...]] = []
    for line in _LINES.splitlines():
        english, _, swedish = line.partition("|")
        out.append((*english.split(), *swedish.split()))
    return out
