//! What a translation left behind: every table option dropped, every object or column that
//! cannot be carried to the target, and the decisions taken (TTL, client-side timestamps).
//! Nothing is dropped without a line here; `ksbulk schema` prints it on stderr and, with
//! `--strict`, fails when anything could not be carried.

use std::fmt;

/// How serious one report line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// A decision worth knowing (TTL enabled, client-side timestamps added).
    Note,
    /// A table option the target ignores or refuses, left out of the DDL.
    DroppedOption,
    /// Something of the source the target cannot hold: an index, a view, a trigger, a
    /// function, a column of an unsupported type. `--strict` fails on these.
    NotCarried,
}

impl Severity {
    fn label(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::DroppedOption => "dropped option",
            Severity::NotCarried => "NOT CARRIED",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportItem {
    /// The object concerned: `ks.table`, `ks.type`, `keyspace ks`, or the schema file.
    pub object: String,
    /// How serious.
    pub severity: Severity,
    /// What was dropped or decided (`compaction = {...}`, `index t_v_idx`).
    pub what: String,
    /// Why, and what to do about it.
    pub why: String,
}

/// Everything a translation reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The lines, in the order found.
    pub items: Vec<ReportItem>,
}

impl Report {
    /// Adds a line.
    pub fn push(&mut self, object: impl Into<String>, severity: Severity, what: impl Into<String>, why: impl Into<String>) {
        let item = ReportItem { object: object.into(), severity, what: what.into(), why: why.into() };
        // The same type or keyspace can come from several schema files; say it once.
        if !self.items.contains(&item) {
            self.items.push(item);
        }
    }

    /// The lines about things the target cannot hold.
    pub fn not_carried(&self) -> impl Iterator<Item = &ReportItem> {
        self.items.iter().filter(|i| i.severity == Severity::NotCarried)
    }

    /// Whether something could not be carried (what `--strict` fails on).
    pub fn has_not_carried(&self) -> bool {
        self.not_carried().next().is_some()
    }

    /// The options dropped from `object`, by name.
    pub fn dropped_options<'a>(&'a self, object: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.items
            .iter()
            .filter(move |i| i.severity == Severity::DroppedOption && i.object == object)
            .map(|i| i.what.split([' ', '=']).next().unwrap_or(""))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for i in &self.items {
            writeln!(f, "{}: {}: {}: {}", i.object, i.severity.label(), i.what, i.why)?;
        }
        let dropped = self.items.iter().filter(|i| i.severity == Severity::DroppedOption).count();
        let not_carried = self.not_carried().count();
        writeln!(f, "schema report: {dropped} option(s) dropped, {not_carried} item(s) not carried")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_name_object_severity_and_reason_and_are_not_repeated() {
        let mut r = Report::default();
        r.push("ks.t", Severity::DroppedOption, "caching = {'keys': 'ALL'}", "Keyspaces manages caching");
        r.push("ks.t", Severity::DroppedOption, "caching = {'keys': 'ALL'}", "Keyspaces manages caching");
        r.push("ks.t", Severity::NotCarried, "index t_v_idx", "Keyspaces has no secondary indexes");
        let text = r.to_string();
        assert!(text.starts_with("ks.t: dropped option: caching = {'keys': 'ALL'}: Keyspaces manages caching\n"), "{text}");
        assert!(text.contains("ks.t: NOT CARRIED: index t_v_idx: Keyspaces has no secondary indexes\n"), "{text}");
        assert!(text.ends_with("schema report: 1 option(s) dropped, 1 item(s) not carried\n"), "{text}");
        assert!(r.has_not_carried());
        assert_eq!(r.dropped_options("ks.t").collect::<Vec<_>>(), ["caching"]);
    }
}
