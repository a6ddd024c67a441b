"""Word patterns that catch messages about suicide, self-harm, abuse or danger.

The safety net under the `safeguarding` intent: DistressGuard (distress_guard.py) sets that
intent whenever `find_distress` returns a pattern's name, whatever the classifier said, so a
classifier miss on an unusual phrasing is still answered with the helplines.

Recall matters more than precision, but a helpline reply to "this form is killing me" would
frighten or annoy, so three things keep ordinary talk out:
- patterns name the person ("kill myself", "my dad hits me"), never a bare word ("kill", "die");
- look-alike idioms are blanked out before matching ("dying to know", "the form is killing me",
  "my mum will kill me if I lose it", "beats me");
- a pattern marked `negatable` does not fire right after "not", "never", "won't", ...
  ("I'm not going to hurt anyone"). "Don't want to" is not a negation here: "I don't want to
  be here anymore" is the distress itself, and those phrasings are written as patterns.

Text is lower-cased and apostrophes dropped first ("I'm" -> "im", "can't" -> "cant"), so every
pattern is written without apostrophes. Everything is compiled once at import.
"""
from __future__ import annotations

import re
from typing import List, NamedTuple, Optional, Pattern

# "’" and "'" vanish; other punctuation becomes a space, so "self-harm" reads "self harm".
_DROP = str.maketrans({"'": None, "’": None, "‘": None, "`": None})
_PUNCT = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")

# People who may hurt a young person; the subject of an abuse pattern must be one of them, so
# "beats me" (I don't know) and "it hurts me" stay ordinary.
_PERSON = (
    r"(?:dad|daddy|father|mum|mummy|mom|mam|mother|step ?dad|step ?mum|step ?father|step ?mother|"
    r"parents?|brothers?|sisters?|uncle|aunt|auntie|aunty|grand(?:dad|pa|ma|mum|father|mother)|nan|"
    r"boyfriend|girlfriend|bf|gf|partner|husband|wife|ex|carer|teacher|tutor|coach|he|hes|she|shes|"
    r"they|theyre|them|someone|somebody|some ?one|people|guy|guys|man|men|woman|kids|boys|girls|"
    r"friends?|mates?|cousin|neighbou?r|family|gang|lads|bullies)"
)
# "Verb me" that is abuse when a person does it.
_ABUSE_VERB = (
    r"(?:hits|hit|hitting|beats|beat|beating|punch(?:es|ed|ing)?|kick(?:s|ed|ing)?|slap(?:s|ped|ping)?|"
    r"chok(?:es|ed|ing)|strangl(?:es|ed|ing)|hurts|hurt|hurting|abus(?:es|ed|ing)|touch(?:es|ed|ing)|"
    r"rap(?:es|ed|ing)|threaten(?:s|ed|ing)?|batter(?:s|ed|ing)?|burn(?:s|ed|t|ing)|"
    r"follow(?:s|ed|ing)|stalk(?:s|ed|ing)|stab|shoot|kill|attack(?:s|ed|ing)?|"
    r"groom(?:s|ed|ing)|blackmail(?:s|ed|ing)?)"
)
# Who a learner may be afraid of at home ("scared of my dad"); narrower than _PERSON, since
# "scared of people seeing my grades" is ordinary.
_CARER = (r"(?:dad|father|mum|mom|mam|mother|step ?dad|step ?mum|step ?father|step ?mother|parents|brother|"
          r"uncle|boyfriend|girlfriend|partner|husband|carer|him|her)")
_SELF = r"(?:my ?self|myslf|mysef|mysel|meself|me self)"
_ME = r"(?:me|us)"

# Idioms that look like distress; blanked out (replaced by " ~ ") before the patterns run.
_LOOKALIKES: Pattern[str] = re.compile(
    "|".join([
        r"\bdying (?:to|for)\b",
        r"\b(?:died|dying|dead|kill(?:ed|ing)? (?:my ?self|me)) laughing\b",
        # "this form / my head / the wait is killing me"
        r"\b(?:form|forms|queue|wait|waiting|this|it|that|head|feet|back|neck|questions?|website|site|page|bot|"
        r"chat|suspense|exams?|revision|homework|traffic|heat|music|app|system|process|phone) "
        r"(?:is|s|are|keeps|keep|was|were) (?:literally |actually |honestly |just )?killing me\b",
        # "my mum will kill me if I lose it": family and teachers' threats are nearly always idiom;
        # a threat to stop the learner telling or leaving is not
        r"\b(?:mum|mom|mam|mother|dad|father|parents|teacher|tutor|boss|coach|nan|gran|sister|brother|mates?)"
        r"(?: \w+){0,2} (?:will|ll|is going to|s going to|going to|gonna|s gonna|is gonna|are going to|"
        r"are gonna|would|d|might) (?:literally |actually )?kill me\b"
        r"(?! (?:if|when|cos|because) (?:i|you) (?:tell|told|say|speak|leave|go to|call|ring|report))",
        r"\bhit me up\b|\bbeat me (?:at|in|on|to it|to the)\b",
        r"\b(?:data|information|info|details|record|records|system|power|position|account)"
        r"(?: (?:is|are|was|were|being|been|has been|have been))* (?:abused|misused|exploited)\b",
    ])
)

# A negatable pattern right after one of these does not fire ("im not suicidal",
# "i would never hurt myself", "im not going to hurt anyone").
_NEGATED_END: Pattern[str] = re.compile(
    r"\b(?:not|never|wont|wouldnt|isnt|arent|werent|wasnt|aint|no longer)"
    r"(?: (?:going to|gonna|ever|really|actually|at all|be|plan to|planning to|try to|trying to|about to|"
    r"want to|wanna|thinking of|thinking about|feeling))* $"
)


class DistressPattern(NamedTuple):
    name: str
    regex: Pattern[str]
    negatable: bool


def _p(name: str, regex: str, negatable: bool = False) -> DistressPattern:
    return DistressPattern(name, re.compile(regex), negatable)


PATTERNS: List[DistressPattern] = [
    # --- suicide ---------------------------------------------------------------------------------
    _p("kill_myself", rf"\b(?:kill|kil|kll|killing|killin|kiling|killed|end|ending|top|topping) {_SELF}\b(?! up)",
       negatable=True),
    _p("kms", r"\b(?:kms|kmsl)\b"),
    _p("unalive", r"\bun ?aliv\w*"),
    _p("suicide", r"\bsu[iy]?[cs]{1,2}[iy]?d(?:e|al|le|ing|es)?\b|\bsuicid\w*|\bsu\w{0,4}c[iy]d(?:e|al|es|ing)\b",
       negatable=True),
    _p("want_to_die", r"\b(?:want|wanna|wnt|wana|wnat|wan|wish|ready|deserve|deserves|planning)"
                      r"(?: to| too| 2)? (?:just )?(?:die|dye|be dead)\b(?! (?:of|from|laughing))",
       negatable=True),
    _p("wish_dead", r"\b(?:wish|wishing) (?:i|id|that i) (?:was|were|could be|had) (?:dead|never been born|"
                    r"not born|gone|died)\b|\bbetter off dead\b"),
    _p("end_it", r"\bend(?:ing)? (?:it all|it tonight|it tonite|it today|it now|everything)\b"
                 r"|\bend(?:ing)? (?:my|me|me own|my own) (?:life|lyf|lif|live)\b"
                 r"|\btake (?:my|me) (?:own )?life\b|\btaking my (?:own )?life\b|\bend (?:my|me) (?:lfe|lyfe)\b"
                 r"|\bplan(?:s|ning)? to end (?:it|it all|my life)\b", negatable=True),
    _p("not_want_to_live", r"\b(?:dont|do not|dnt|dun|didnt|did not) (?:really |even |actually )?"
                           r"(?:want|wanna|wana|wnt|wish) (?:to )?(?:live|liv|be alive|be here|exist|wake up|go on|"
                           r"be around|carry on living|keep living|be living)\b"),
    _p("not_worth_living", r"\b(?:not|isnt|aint|no longer|never) worth (?:living|being alive|it anymore|it any more|"
                           r"going on)\b|\bim a burden\b|\ba burden (?:to|on) (?:everyone|everybody|my family)\b"),
    _p("thinking_of_death", r"\b(?:think|thinking|thought|thoughts) (?:about|of) (?:death|dying|suicide|ending it|"
                            r"killing my ?self)\b(?! (?:my|your|her|his) hair)"
                            r"|\b(?:ways|how) to (?:die|kill my ?self|end it all)\b"
                            r"|\bhow many (?:pills|tablets) (?:would|does|will|to)\b", negatable=True),
    _p("no_point_living", r"\bpoint (?:in|of|to) (?:living|life|being alive|going on|carrying on|being here|"
                          r"existing|anything|me being here|it all)\b|\b(?:no|not any|any) reason to (?:live|"
                          r"be alive|go on|keep going|stay)\b"),
    _p("tired_of_life", r"\b(?:tired|sick|done|finished|fed up|had enough) (?:of|with) (?:being alive|living|"
                        r"life|existing|my life|being here|everything and everyone)\b"),
    _p("better_off_without_me", r"\b(?:better|happier|easier) (?:off )?(?:without me|if i (?:was|were|wasnt|"
                                r"werent|wasn|am|was not|were not|died|disappeared) (?:gone|dead|here|around|"
                                r"alive)?)"),
    _p("nobody_would_miss_me", r"\b(?:nobody|no one|noone|no1|no body|nobdy) (?:would|wud|will|wld|wll|"
                               r"gonna|is going to|would even|wud even|will even|even|really)?\s?"
                               r"(?:care|miss me|notice|mind|cry)(?: if| when| once| that) i\b"
                               r"|\b(?:nobody|no one|noone|no1|nobdy) (?:would|wud|wuld|will|wld) (?:even )?miss me\b"),
    _p("never_wake_up", r"\b(?:sleep|sleeping) (?:and|n) never wake up\b|\bnever wake up again\b"),
    _p("disappear", r"\b(?:want|wanna|wana|wnt|wish i could|going to|gonna) (?:to )?(?:just )?"
                    r"(?:disappear|vanish|stop existing|not exist|cease to exist)\b"),
    _p("want_it_to_end", r"\b(?:want|wanna|wish|need) (?:for )?(?:it all|everything|all of it|the pain|my life|"
                         r"life|all this) (?:to )?(?:just )?(?:end|stop|be over)\b"
                         r"(?! (?:being|sharing|from|showing|appearing|getting shared))"),
    _p("no_way_out", r"\bno way out\b"),
    _p("not_around_long", r"\b(?:wont|will not|not|dont think ill|do not think ill) be (?:around|here|alive) "
                          r"(?:much |for )?(?:longer|long|tomorrow|next week|by tomorrow)\b"),
    _p("jump", r"\b(?:jump|jumping|jumped|throw my ?self|throwing my ?self|step|stepping) (?:off|from|in front of)"
               r" (?:a |the |this |that )?(?:\w+ )?(?:bridge|building|roof|train|cliff|car|bus|lorry|tower|"
               r"balcony|window|multi storey)\b|\bedge of (?:the|a) (?:bridge|roof|cliff|building|platform)\b"
               r"|\bin front of (?:a|the) (?:train|bus|lorry|car)\b", negatable=True),
    _p("overdose", r"\bover ?dos\w*", negatable=True),
    _p("pills", r"\b(?:took|taken|take|taking|swallowed|swallow|swallowing|necked) (?:a (?:load|lot|bunch|"
                r"handful|whole box|whole packet|packet|box|bottle) of|loads of|too many|lots of) (?:my |the )?"
                r"(?:pills|tablets|meds|medication|paracetamol|painkillers|sleeping pills)\b"
                r"|\b(?:pills|tablets|meds|medication|paracetamol|painkillers) (?:all )?(?:at once|in one go)\b"
                r"|\b(?:saving|saved|hoarding|hoarded|stockpiling|collecting|saving up) (?:up )?(?:my |all my )?"
                r"(?:pills|tablets|meds|medication|paracetamol|painkillers)\b", negatable=True),
    _p("hanging", r"\b(?:got|have|bought|tie|tied|tying|with|a) (?:a )?(?:rope|noose)\b|\bnoose\b"
                  r"|\bhang(?:ing)? (?:my ?self|myself)\b|\bhung my ?self\b", negatable=True),
    _p("goodbye_note", r"\b(?:suicide|goodbye) (?:note|letter|message)s?\b"),
    # --- self-harm --------------------------------------------------------------------------------
    _p("self_harm", r"\bself ?(?:harm\w*|injur\w*|hurt\w*)\b|\bsh (?:again|scars|cuts)\b"
                    r"|\b(?:started|start|been|keep|kept) (?:cutting|cuttin) again\b", negatable=True),
    _p("harm_myself", rf"\b(?:cut|cutting|cuttin|cuting|cuts|burn|burning|burnt|burned|hurt|hurting|hurtin|hert|hurts|"
                      rf"harm|harming|harmed|punish|punishing|starve|starving|hit|hitting|scratch|scratching|"
                      rf"bang|banging|bite|biting) {_SELF}\b"
                      rf"(?! (?:playing|at (?:the )?(?:gym|football|rugby|training|work)|falling|in pe|skiing))",
       negatable=True),
    _p("cuts_on_body", r"\b(?:cuts|scars|burns|marks) (?:on|all over|up|down) my (?:arms?|legs?|wrists?|thighs?|"
                       r"body|skin|stomach)\b|\bmy (?:arms?|legs?|wrists?|thighs?) (?:are|is) (?:covered in|full of)"
                       r" (?:cuts|scars|burns)\b|\b(?:cut|cutting|slit|slitting|slice|slicing) (?:my|me) (?:wrists?|"
                       r"arms?|legs?|thighs?|skin)\b", negatable=True),
    _p("do_to_myself", rf"\b(?:might|could|will|going to|gonna|scared ill|afraid ill) do (?:something |anything )?"
                       rf"(?:to|2) {_SELF}\b"),
    _p("others_harm_themselves", r"\b(?:kill|killing|hurt|hurting|harm|harming|cut|cutting|end|ending) "
                                 r"(?:him|her|them) ?(?:self|selves|self)\b"
                                 r"|\bend(?:ing)? (?:his|her|their) (?:own )?life\b"),
    # --- abuse and exploitation -------------------------------------------------------------------
    # negation inside the gap counts too: "my dad never hits me"
    _p("person_hurts_me", rf"\b{_PERSON}\b(?: (?!(?:not|never|doesnt|didnt|wont|wouldnt|cant|isnt)\b)\w+){{0,4}}? "
                          rf"{_ABUSE_VERB} {_ME}\b(?! (?:at|in|to it|to the|back|off|out|on (?:instagram|insta|"
                          rf"tiktok|twitter|x|snap|snapchat|social media|facebook)|with (?:a fine|fees|charges)))"
                          rf"|\b(?:is|are|gets|get) (?:violent|aggressive) (?:to|towards|with) me\b",
       negatable=True),
    _p("sexual_abuse", r"\b(?:raped|rape|raping|sexually (?:assaulted|abused|abusing|assault)|sexual "
                       r"(?:assault|abuse)|molest\w*|groom(?:ed|ing) me|touched me (?:inappropriately|down there)|"
                       r"touches me (?:inappropriately|down there))\b"),
    _p("being_abused", r"\b(?:being|been|was|am|im|is|getting|got|get|keep getting|keep being) (?:abused|beaten|"
                       r"beaten up|hit|bullied|attacked|assaulted|threatened|followed|stalked|exploited|trafficked|"
                       r"groomed|blackmailed|battered|punched|kicked|neglected|starved)\b(?! (?:out|off|by (?:a|the) "
                       r"(?:system|website|form|car)|with (?:fees|a fine|charges)))"),
    _p("bullying", r"\b(?:bullied|bullying me|bully me|bullies me|cyber ?bull\w*|getting bullied|being bullied)\b"),
    _p("forced", r"\b(?:forcing|forced|force|forces|making|made|makes|pressuring|pressured|pressure) me (?:to|into)"
                 r" (?:do|sell|carry|send|have|hold|deliver|steal|take|move|sleep|run)\b"
                 r"|\b(?:being|been|im|am|was|getting|get) (?:forced|made|pressured) (?:to|into) (?:do|sell|carry|"
                 r"send|have sex|deliver|steal|move|run|sleep)\b"
                 r"|\b(?:forcing|forced|making|made|makes|make) me (?:sell|carry|deliver|steal|hold|hide) (?:drugs|"
                 r"stuff|packages|parcels|money|weapons|knives|things)\b"
                 r"|\b(?:forcing|forced|making|made|makes|make) me do (?:things|stuff|sexual|sex)\b"),
    _p("images", r"\bnudes?\b|\b(?:threaten\w*|going|gonna) to (?:share|post|leak|send) (?:my )?"
                 r"(?:photos|pictures|pics|videos|images)\b"
                 r"|\b(?:asking|asks|asked|ask|want|wants|wanted|keeps asking|pressuring) (?:me )?(?:for|to "
                 r"send) (?:my )?(?:pictures|pics|photos|nudes|images|videos) (?:of me)?\b|\b(?:share|sharing|"
                 r"post|posting|leak|leaking|send|sending) (?:my )?(?:nudes|naked (?:pictures|pics|photos))\b"),
    _p("locked_in", r"\b(?:wont|doesnt|dont|not|never) (?:let me|allowed to) leave (?:the house|my room|home|"
                    r"the flat|my house)\b"
                    r"|\block(?:s|ed)? me (?:in|up|out of (?:the house|home|my house))\b|\blocked in my room\b"
                    r"|\b(?:dont|do not|never|wont|"
                    r"will not|doesnt|does not) (?:feed|let me eat)\b"),
    # --- danger -----------------------------------------------------------------------------------
    _p("in_danger", r"\b(?:im|i am|i feel|feeling|we are|were|i think im) (?:so |really |very )?(?:unsafe|"
                    r"in danger|not safe|scared for my life)\b"
                    r"|\b(?:dont|do not|never|cant) feel (?:very |really |at all )?safe\b"
                    r"|\bnot safe (?:at home|here|with|around|in my|in our|to go home)\b"
                    r"|\b(?:home|house|my home|my house|it at home) (?:isnt|is not|aint|isn|dont feel|doesnt feel)"
                    r" (?:safe|feel safe)\b"),
    _p("scared_to_go_home", r"\b(?:scared|afraid|frightened|terrified|too scared|petrified) (?:to|of) "
                            r"(?:go|going|be|being) (?:back )?(?:home|at home|in my house)\b"
                            rf"|\b(?:scared|afraid|frightened|terrified|petrified) of (?:my )?{_CARER}\b"),
    _p("nowhere_safe", r"\bnowhere (?:safe )?to (?:sleep|stay|go|live)\b|\b(?:kicked|thrown|chucked) (?:me )?out of"
                       r" (?:home|the house|my house)\b|\b(?:ran|run|running) away from (?:home|my family|care)\b"),
    _p("break_in", r"\b(?:trying|tryna|try|tried) to (?:break|get|force (?:their|his|her) way) in(?:to)? "
                   r"(?:my|the|our) (?:house|home|flat|room)\b|\b(?:trying|tryna) to break in\b"),
    _p("threat_to_kill", rf"\b(?:threaten\w*|said|says|saying) (?:to |that |he |she |they |theyll |hell |shell |"
                         rf"theyre |theyd |hed |shed )?"
                         rf"(?:would |will |is going to |are going to |gonna |going to )?(?:kill|stab|shoot|hurt|beat)"
                         rf" {_ME}\b"),
    _p("harm_others", r"\b(?:going to|gonna|want to|wanna|about to|will) (?:hurt|stab|shoot|attack) (?:someone|"
                      r"somebody|people|anyone|anybody|everyone)\b", negatable=True),
]


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, other punctuation as spaces, single spaces, padded."""
    text = _PUNCT.sub(" ", (text or "").lower().translate(_DROP))
    return " " + _SPACES.sub(" ", text).strip() + " "


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATED_END.search(text[max(0, start - 60):start]))


def find_distress(text: str) -> Optional[str]:
    """The name of the first pattern that fires on `text`, or None."""
    if not text:
        return None
    clean = _LOOKALIKES.sub(" ~ ", normalise(text))
    for pattern in PATTERNS:
        for match in pattern.regex.finditer(clean):
            if not (pattern.negatable and _negated(clean, match.start())):
                return pattern.name
    return None
