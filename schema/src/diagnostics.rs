//! Problems found while loading and checking the schema, each located by file and JSON pointer.

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;

/// What sort of problem a diagnostic reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    /// A file could not be read.
    Io,
    /// A file is not well-formed JSON or XML.
    Syntax,
    /// A value does not have the shape the format requires.
    Shape,
    /// Two items of one kind share an id.
    Duplicate,
    /// A reference names an item that does not exist.
    Reference,
    /// An example body does not conform to its operation's model.
    Conformance,
    /// An XSD does not parse or disagrees with the models.
    Xsd,
    /// Two facts about one thing disagree.
    Consistency,
}

impl ProblemKind {
    fn label(self) -> &'static str {
        match self {
            ProblemKind::Io => "io",
            ProblemKind::Syntax => "syntax",
            ProblemKind::Shape => "shape",
            ProblemKind::Duplicate => "duplicate",
            ProblemKind::Reference => "reference",
            ProblemKind::Conformance => "conformance",
            ProblemKind::Xsd => "xsd",
            ProblemKind::Consistency => "consistency",
        }
    }
}

/// Where a problem is: a file (relative to the schema directory) and a place in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file, relative to the schema directory.
    pub file: PathBuf,
    /// A JSON pointer into the file (empty for the whole file).
    pub pointer: String,
    /// A line number, when known (syntax errors, XML bodies).
    pub line: Option<usize>,
}

impl Location {
    /// A location in `file` at `pointer`.
    pub fn new(file: impl Into<PathBuf>, pointer: impl Into<String>) -> Self {
        Location { file: file.into(), pointer: pointer.into(), line: None }
    }

    /// The same file, deeper in it.
    pub fn child(&self, segment: impl fmt::Display) -> Self {
        let seg = segment.to_string().replace('~', "~0").replace('/', "~1");
        Location { file: self.file.clone(), pointer: format!("{}/{}", self.pointer, seg), line: self.line }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.pointer.is_empty() {
            write!(f, "#{}", self.pointer)?;
        }
        Ok(())
    }
}

/// One problem, where it is and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// Where the problem is.
    pub location: Location,
    /// What sort of problem it is.
    pub kind: ProblemKind,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.location, self.kind.label(), self.message)
    }
}

/// The problems found in a schema directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Records a problem.
    pub fn push(&mut self, location: &Location, kind: ProblemKind, message: impl Into<String>) {
        self.0.push(Diagnostic { location: location.clone(), kind, message: message.into() });
    }

    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sorts the problems by place and drops repeats.
    pub fn tidy(&mut self) {
        self.0.sort();
        self.0.dedup();
    }
}

/// The items that did not load: what the cross-checks must not report as missing, since
/// the syntax or shape problem that dropped them is already reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadFailures {
    /// Kinds (`model`, `operation`...) of which some items of unknown id are lost: a file
    /// that is not valid JSON, has the wrong shape, or an item without a readable id.
    pub kinds: BTreeSet<String>,
    /// Items that failed to load, as `kind:id`.
    pub items: BTreeSet<String>,
}

impl LoadFailures {
    /// Whether the item `kind:id` may exist in the files but did not load.
    pub fn hides(&self, kind: &str, id: &str) -> bool {
        self.kinds.contains(kind) || self.items.contains(&format!("{kind}:{id}"))
    }

    /// Whether nothing failed to load.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty() && self.items.is_empty()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        write!(f, "{} problem(s)", self.0.len())
    }
}

/// Why a schema could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The schema directory is missing or unreadable.
    #[error("cannot read schema directory {path}: {source}")]
    Directory {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The files were read but hold problems.
    #[error("the schema in {dir} is invalid:\n{diagnostics}")]
    Invalid {
        /// The schema directory.
        dir: PathBuf,
        /// Every problem found.
        diagnostics: Diagnostics,
    },
}
