//! Realistic post text: varied sentences from a vocabulary of a few hundred words, with
//! mentions of local users (`@user123`), hashtags and the odd link.
//!
//! Lengths follow a long tail, as on real instances: most posts are a sentence or three, some
//! run to a few paragraphs, a few to several hundred words (never past the 5000-character
//! limit). Everything is drawn from the caller's random generator, so a seed gives the same
//! text every time.

use rand::Rng;
use rand::seq::IndexedRandom;

const NOUNS: &[&str] = &[
    "garden",
    "bread",
    "train",
    "library",
    "river",
    "cat",
    "dog",
    "bicycle",
    "coffee",
    "server",
    "database",
    "keyboard",
    "window",
    "mountain",
    "forest",
    "city",
    "market",
    "song",
    "album",
    "book",
    "poem",
    "recipe",
    "kitchen",
    "bridge",
    "harbour",
    "island",
    "lighthouse",
    "museum",
    "painting",
    "photo",
    "camera",
    "telescope",
    "comet",
    "storm",
    "rain",
    "snow",
    "sunset",
    "morning",
    "evening",
    "weekend",
    "meeting",
    "project",
    "release",
    "bug",
    "patch",
    "compiler",
    "terminal",
    "laptop",
    "phone",
    "network",
    "protocol",
    "instance",
    "timeline",
    "thread",
    "community",
    "neighbour",
    "friend",
    "teacher",
    "student",
    "child",
    "grandmother",
    "festival",
    "concert",
    "game",
    "puzzle",
    "map",
    "journey",
    "ticket",
    "station",
    "street",
    "park",
    "lake",
    "beach",
    "boat",
    "tea",
    "soup",
    "cake",
    "apple",
    "tomato",
    "onion",
    "mushroom",
    "notebook",
    "pencil",
    "letter",
    "newspaper",
    "podcast",
    "film",
    "story",
    "question",
    "answer",
    "idea",
    "plan",
    "mistake",
    "lesson",
    "habit",
    "tool",
    "workshop",
    "conference",
    "talk",
    "slide",
];

const VERBS: &[&str] = &[
    "found",
    "fixed",
    "baked",
    "visited",
    "painted",
    "read",
    "wrote",
    "built",
    "watched",
    "heard",
    "tried",
    "missed",
    "loved",
    "forgot",
    "shared",
    "planted",
    "repaired",
    "cooked",
    "photographed",
    "rewrote",
    "deployed",
    "tested",
    "cleaned",
    "borrowed",
    "returned",
    "discovered",
    "explained",
    "finished",
    "started",
    "abandoned",
    "translated",
    "measured",
    "sketched",
    "recorded",
    "packed",
    "carried",
    "followed",
    "ignored",
    "celebrated",
    "noticed",
    "compared",
    "described",
    "organised",
    "rescued",
    "studied",
    "tuned",
    "upgraded",
    "walked to",
    "ran past",
    "waited for",
];

const ADJECTIVES: &[&str] = &[
    "quiet",
    "noisy",
    "tiny",
    "enormous",
    "old",
    "new",
    "strange",
    "lovely",
    "broken",
    "shiny",
    "cold",
    "warm",
    "early",
    "late",
    "green",
    "blue",
    "golden",
    "grey",
    "bright",
    "dark",
    "cosy",
    "busy",
    "empty",
    "crowded",
    "slow",
    "fast",
    "gentle",
    "wild",
    "careful",
    "lazy",
    "curious",
    "patient",
    "stubborn",
    "cheerful",
    "tired",
    "hungry",
    "surprising",
    "ordinary",
    "peculiar",
    "delicious",
    "wonderful",
    "terrible",
    "simple",
    "complicated",
    "elegant",
    "clumsy",
    "fragile",
    "sturdy",
    "local",
    "remote",
];

const ADVERBS: &[&str] = &[
    "finally",
    "quietly",
    "suddenly",
    "carefully",
    "happily",
    "slowly",
    "almost",
    "again",
    "honestly",
    "apparently",
    "probably",
    "clearly",
    "barely",
    "gladly",
    "eventually",
    "unexpectedly",
    "nearly",
    "already",
    "still",
    "somehow",
];

const PLACES: &[&str] = &[
    "at the market",
    "by the river",
    "in the old library",
    "on the night train",
    "behind the station",
    "at the top of the hill",
    "in our kitchen",
    "at the community garden",
    "near the harbour",
    "in the back room",
    "at work",
    "on the balcony",
    "under the bridge",
    "at the corner cafe",
    "in the park",
    "on the ferry",
    "at the repair cafe",
    "in the attic",
];

const TIMES: &[&str] = &[
    "this morning",
    "yesterday",
    "last night",
    "today",
    "on Sunday",
    "after lunch",
    "before breakfast",
    "all week",
    "for the first time",
    "again",
    "just now",
    "at midnight",
    "during the storm",
    "over the holidays",
];

const OPENERS: &[&str] = &[
    "Honestly,",
    "Small win:",
    "Today I learned that",
    "Reminder:",
    "Hot take:",
    "Update:",
    "PSA:",
    "Fun fact:",
    "Confession:",
    "Good news:",
];

const CLOSERS: &[&str] = &[
    "Would do it again.",
    "Not bad at all.",
    "Ask me how I know.",
    "More on that later.",
    "Thoughts?",
    "Anyone else?",
    "Ten out of ten.",
    "Still thinking about it.",
    "What a time to be alive.",
    "Back to work now.",
];

const EMOJI: &[&str] = &["🌱", "☕", "🚲", "📚", "🎶", "🐈", "🌧️", "✨", "🍞", "🛠️"];

/// Hashtags the generator picks from, the first ones most often.
pub const HASHTAGS: &[&str] = &[
    "fediverse",
    "rustlang",
    "photography",
    "caturday",
    "gardening",
    "bread",
    "cycling",
    "books",
    "music",
    "opensource",
    "selfhosting",
    "coffee",
    "hiking",
    "birds",
    "cooking",
    "linux",
    "art",
    "history",
    "science",
    "astronomy",
    "weather",
    "trains",
    "knitting",
    "sketching",
    "poetry",
    "climbing",
    "tea",
    "boardgames",
    "podcasts",
    "mastodon",
    "akkoma",
    "introductions",
    "mondaymotivation",
    "fridayfeeling",
    "sundaystroll",
    "repaircafe",
    "urbanism",
    "commons",
    "languages",
    "maths",
];

/// Posts never go past this many characters (the server's limit is 5000).
pub const MAX_CHARS: usize = 4800;

/// How much of what a post contains.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// How many sentences of body text.
    pub sentences: usize,
    /// Users mentioned (`@userN`, indices into the caller's users).
    pub mentions: usize,
    /// Hashtags.
    pub hashtags: usize,
    /// A link to an article somewhere.
    pub link: bool,
}

impl Shape {
    /// A random shape with the long tail of real posts: mostly short, sometimes long.
    pub fn random(rng: &mut impl Rng) -> Shape {
        let roll: f64 = rng.random();
        let sentences = if roll < 0.65 {
            rng.random_range(1..=3)
        } else if roll < 0.92 {
            rng.random_range(4..=10)
        } else {
            rng.random_range(11..=30)
        };
        let mentions = match rng.random_range(0..100) {
            0..70 => 0,
            70..90 => 1,
            90..97 => 2,
            _ => 3,
        };
        let hashtags = match rng.random_range(0..100) {
            0..60 => 0,
            60..85 => 1,
            85..95 => 2,
            _ => 3,
        };
        Shape {
            sentences,
            mentions,
            hashtags,
            link: rng.random_bool(0.12),
        }
    }
}

/// A post's text and what it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub text: String,
    /// Indices (0-based) of the users mentioned, in order, without repeats.
    pub mentions: Vec<usize>,
    /// Hashtags used, without `#`, without repeats.
    pub hashtags: Vec<String>,
}

/// The username of the user at `index` (0-based): `user1`, `user2`…
pub fn username(index: usize) -> String {
    format!("user{}", index + 1)
}

/// Picks an index below `n`, the low ones more often (popular accounts, common tags).
pub fn skewed_index(rng: &mut impl Rng, n: usize, skew: f64) -> usize {
    if n == 0 {
        return 0;
    }
    let u: f64 = rng.random();
    ((u.powf(skew) * n as f64) as usize).min(n - 1)
}

fn word<'a>(rng: &mut impl Rng, words: &'a [&'a str]) -> &'a str {
    words.choose(rng).copied().unwrap_or("thing")
}

/// One sentence of ordinary prose.
pub fn sentence(rng: &mut impl Rng) -> String {
    let noun = word(rng, NOUNS);
    let other = word(rng, NOUNS);
    let verb = word(rng, VERBS);
    let adjective = word(rng, ADJECTIVES);
    let adverb = word(rng, ADVERBS);
    let place = word(rng, PLACES);
    let time = word(rng, TIMES);
    let text = match rng.random_range(0..16) {
        0 => format!("I {verb} a {adjective} {noun} {place} {time}."),
        1 => format!("The {noun} {place} is {adverb} {adjective}."),
        2 => format!("We {adverb} {verb} the {noun} {time}, and it was {adjective}."),
        3 => format!("Has anyone else {verb} a {noun} that {adverb} felt {adjective}?"),
        4 => format!(
            "{} the {adjective} {noun} {place}.",
            capitalise(&format!("{time} I {verb}"))
        ),
        5 => format!("My {noun} and my {other} are both {adjective} {time}."),
        6 => format!("If your {noun} is {adjective}, try a {other} instead."),
        7 => format!(
            "{} the {noun} is {adjective}, but the {other} is {}.",
            capitalise(adverb),
            word(rng, ADJECTIVES)
        ),
        8 => format!(
            "{} {verb} the {noun} {place}.",
            word(rng, OPENERS).trim_end_matches(':')
        ),
        9 => format!("Nobody told me the {noun} would be this {adjective}."),
        10 => format!("There is a {adjective} {noun} {place}, and I {adverb} {verb} it."),
        11 => format!(
            "{} {}",
            capitalise(&format!("{adjective} {noun}, {adjective} {other}.")),
            word(rng, EMOJI)
        ),
        12 => format!("Spent {time} with a {noun}, a {other} and a {adjective} cup of tea."),
        13 => format!("Why is every {noun} {place} so {adjective}?"),
        14 => format!("I {adverb} {verb} my {noun}, so now the {other} is {adjective}."),
        _ => word(rng, CLOSERS).to_owned(),
    };
    capitalise(&text)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Builds a post of `shape`, mentioning users among `users` (never `author`).
pub fn post(rng: &mut impl Rng, shape: Shape, users: usize, author: Option<usize>) -> Post {
    let mut mentions: Vec<usize> = Vec::new();
    let possible = users.saturating_sub(usize::from(author.is_some()));
    let wanted = shape.mentions.min(possible);
    let mut attempts = 0;
    while mentions.len() < wanted && attempts < 100 {
        attempts += 1;
        let index = skewed_index(rng, users, 1.6);
        if Some(index) != author && !mentions.contains(&index) {
            mentions.push(index);
        }
    }
    let mut hashtags: Vec<String> = Vec::new();
    attempts = 0;
    while hashtags.len() < shape.hashtags.min(HASHTAGS.len()) && attempts < 100 {
        attempts += 1;
        let tag = HASHTAGS[skewed_index(rng, HASHTAGS.len(), 2.0)];
        if !hashtags.iter().any(|t| t == tag) {
            hashtags.push(tag.to_owned());
        }
    }

    let mut text = String::new();
    // Mentions: a reply-style greeting in front, or woven into the first sentence.
    let greeting = !mentions.is_empty() && rng.random_bool(0.5);
    if greeting {
        for &index in &mentions {
            text.push('@');
            text.push_str(&username(index));
            text.push(' ');
        }
    } else if rng.random_bool(0.2) {
        text.push_str(word(rng, OPENERS));
        text.push(' ');
    }
    let mut in_paragraph = 0;
    let paragraph_length = rng.random_range(3..=6);
    for n in 0..shape.sentences.max(1) {
        let mut next = sentence(rng);
        if n == 0 && !greeting && !mentions.is_empty() {
            let names: Vec<String> = mentions
                .iter()
                .map(|&i| format!("@{}", username(i)))
                .collect();
            next = format!(
                "{} (cc {})",
                next.trim_end_matches(['.', '?']),
                names.join(" ")
            );
            next.push('.');
        }
        if text.chars().count() + next.chars().count() + 120 > MAX_CHARS {
            break;
        }
        if in_paragraph == paragraph_length {
            text.push_str("\n\n");
            in_paragraph = 0;
        } else if !text.is_empty() && !text.ends_with(' ') {
            text.push(' ');
        }
        text.push_str(&next);
        in_paragraph += 1;
    }
    if shape.link {
        let slug = format!(
            "{}-{}-{}",
            word(rng, ADJECTIVES),
            word(rng, NOUNS),
            rng.random_range(1..10_000)
        );
        text.push_str(&format!(" https://example.org/articles/{slug}"));
    }
    if !hashtags.is_empty() {
        text.push_str(if shape.sentences > 3 { "\n\n" } else { " " });
        let tags: Vec<String> = hashtags.iter().map(|t| format!("#{t}")).collect();
        text.push_str(&tags.join(" "));
    }
    Post {
        text,
        mentions,
        hashtags,
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_posts() {
        let make = || {
            let mut rng = StdRng::seed_from_u64(7);
            (0..20)
                .map(|_| {
                    let shape = Shape::random(&mut rng);
                    post(&mut rng, shape, 1000, Some(3)).text
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(make(), make());
    }

    #[test]
    fn posts_carry_what_their_shape_asks_for() {
        let mut rng = StdRng::seed_from_u64(1);
        let shape = Shape {
            sentences: 4,
            mentions: 2,
            hashtags: 2,
            link: true,
        };
        for _ in 0..200 {
            let post = post(&mut rng, shape, 1000, Some(0));
            assert_eq!(post.mentions.len(), 2);
            assert!(!post.mentions.contains(&0), "never the author");
            for &m in &post.mentions {
                assert!(m < 1000);
                assert!(
                    post.text.contains(&format!("@{} ", username(m)))
                        || post.text.contains(&format!("@{})", username(m)))
                        || post.text.contains(&format!("@{}", username(m)))
                );
            }
            assert_eq!(post.hashtags.len(), 2);
            assert_ne!(post.hashtags[0], post.hashtags[1]);
            for tag in &post.hashtags {
                assert!(post.text.contains(&format!("#{tag}")));
            }
            assert!(post.text.contains("https://example.org/articles/"));
        }
    }

    #[test]
    fn the_core_finds_the_same_mentions_and_hashtags() {
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..200 {
            let shape = Shape::random(&mut rng);
            let post = post(&mut rng, shape, 500, Some(10));
            let extracted = rhizome_core::text::extract(&post.text);
            let mut found: Vec<String> = extracted
                .mentions
                .iter()
                .map(|m| m.username.clone())
                .collect();
            found.sort();
            let mut expected: Vec<String> = post.mentions.iter().map(|&i| username(i)).collect();
            expected.sort();
            assert_eq!(found, expected, "in {:?}", post.text);
            let mut tags = extracted.hashtags.clone();
            tags.sort();
            let mut expected_tags = post.hashtags.clone();
            expected_tags.sort();
            assert_eq!(tags, expected_tags, "in {:?}", post.text);
        }
    }

    #[test]
    fn lengths_have_a_long_tail_under_the_limit() {
        let mut rng = StdRng::seed_from_u64(11);
        let lengths: Vec<usize> = (0..2000)
            .map(|_| {
                let shape = Shape::random(&mut rng);
                post(&mut rng, shape, 1000, None).text.chars().count()
            })
            .collect();
        let max = lengths.iter().copied().max().unwrap_or(0);
        let short = lengths.iter().filter(|&&l| l < 300).count();
        let long = lengths.iter().filter(|&&l| l > 1200).count();
        assert!(max <= MAX_CHARS, "longest post {max} chars");
        assert!(short > 1000, "most posts are short: {short} of 2000");
        assert!(long > 40, "some posts are long: {long} of 2000");
        // Within the server's own limit, counted its way.
        let mut rng = StdRng::seed_from_u64(12);
        for _ in 0..200 {
            let shape = Shape {
                sentences: 60,
                mentions: 3,
                hashtags: 3,
                link: true,
            };
            let text = post(&mut rng, shape, 1000, None).text;
            assert!(rhizome_core::text::visible_length(&text) <= 5000);
        }
    }

    #[test]
    fn sentences_vary() {
        let mut rng = StdRng::seed_from_u64(5);
        let sentences: std::collections::HashSet<String> =
            (0..500).map(|_| sentence(&mut rng)).collect();
        assert!(sentences.len() > 400, "only {} distinct", sentences.len());
        assert!(
            sentences
                .iter()
                .all(|s| { s.chars().next().is_some_and(|c| !c.is_lowercase()) })
        );
    }

    #[test]
    fn skewed_indices_stay_in_range_and_favour_the_first() {
        let mut rng = StdRng::seed_from_u64(9);
        let picks: Vec<usize> = (0..10_000)
            .map(|_| skewed_index(&mut rng, 100, 2.0))
            .collect();
        assert!(picks.iter().all(|&i| i < 100));
        let low = picks.iter().filter(|&&i| i < 10).count();
        let high = picks.iter().filter(|&&i| i >= 90).count();
        assert!(low > 2 * high, "{low} low vs {high} high");
        assert_eq!(skewed_index(&mut rng, 0, 2.0), 0);
        assert_eq!(skewed_index(&mut rng, 1, 2.0), 0);
    }
}
