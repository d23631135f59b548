"""Understanding requests: which catalogue service or knowledge article fits what an employee wrote.

Pure code (standard library, rapidfuzz, PyYAML, snowballstemmer); no Slack, no database, no bot.

- `knowledge.loading`: catalogue YAML and Markdown articles with YAML front matter -> `knowledge.models`.
- `knowledge.text`: Slack markup removed, case and diacritics folded, Swedish and English stopwords and
  stemming (both stemmers on every word: the desk does not know a message's language), and translations
  from `knowledge.lexicon` (everyday English-Swedish workplace words) conflated into one term.
- `knowledge.matcher.Matcher`: field-weighted BM25 (titles and keywords count more than descriptions and
  article bodies), typo tolerance against the index vocabulary with rapidfuzz, suffix slack for inflections
  the stemmer misses, Swedish compound splitting, synonyms, in-order phrase pairs, the wording's intent
  (`knowledge.intent`: a question favours articles, a request or fault report the catalogue, and it picks
  between an article and its related catalogue item), related catalogue items' words on articles,
  coordination (a candidate's score scaled by how much of the message it covers), and phrasings learned
  from the desk's history.
  `match()` returns ranked candidates with 0..1 scores and a decision (confident / choose / nothing): a
  confident answer needs a high enough score, a margin over the runner-up, and a lead that is a large
  enough share of what the message could score at most (see `Thresholds`).
- `knowledge.evaluation`: the eval-match metrics over labelled cases.

What each technique is worth on the development set is measured by the benchmarks under bot/bench/.
"""
