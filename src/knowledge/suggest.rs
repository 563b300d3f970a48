//! "Did you mean …?": the known name closest to a misspelt one, for keys,
//! topic ids, concepts and the other names the knowledge files refer to.

/// The known name nearest to `typed`, if one is near enough to be a slip
/// of the keyboard rather than a different name.
///
/// Near enough is an edit distance (a letter added, dropped, changed or
/// two swapped) of at most a third of the longer name, rounded to the
/// nearest, and at least one: `titel`, `fone`, `qestions`, `expirry` and
/// `what-is-csp` find `title`, `phone`, `questions`, `expiry` and
/// `what-is-cspo`, while short names such as `id` and `kind` stay apart. Of equally near names the first listed
/// wins, so the suggestion never changes from one run to the next.
pub fn closest<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed_lower = typed.to_lowercase();
    let mut best: Option<(&str, usize)> = None;
    for name in known {
        if name == typed {
            continue;
        }
        let distance = strsim::damerau_levenshtein(&typed_lower, &name.to_lowercase());
        let longer = typed.chars().count().max(name.chars().count());
        let allowed = ((longer + 1) / 3).max(1);
        if distance <= allowed && best.is_none_or(|(_, d)| distance < d) {
            best = Some((name, distance));
        }
    }
    best.map(|(name, _)| name)
}

/// `"; did you mean `x`?"`, or nothing when no known name is near.
pub fn did_you_mean<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    match closest(typed, known) {
        Some(name) => format!("; did you mean {name:?}?"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_finds_the_name_and_a_different_name_finds_nothing() {
        let keys = ["id", "title", "about", "questions", "kind", "gives"];
        assert_eq!(closest("titel", keys), Some("title"));
        assert_eq!(closest("Title", keys), Some("title"));
        assert_eq!(closest("qestions", keys), Some("questions"));
        assert_eq!(closest("colour", keys), None);
        assert_eq!(closest("fone", ["name", "phone"]), Some("phone"));
        assert_eq!(closest("ids", ["id", "kind"]), Some("id"));
        assert_eq!(closest("xy", ["id", "kind"]), None);
        let topics = ["what-is-cspo", "what-is-pspo", "cspo-validity"];
        assert_eq!(closest("what-is-csp", topics), Some("what-is-cspo"));
        assert_eq!(closest("cspo-validty", topics), Some("cspo-validity"));
        assert_eq!(
            did_you_mean("isuer", ["issuer", "provider"]),
            "; did you mean \"issuer\"?"
        );
        assert_eq!(did_you_mean("somebody", ["issuer", "provider"]), "");
    }
}
