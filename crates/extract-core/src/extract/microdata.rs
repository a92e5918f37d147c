//! schema.org microdata items as collected by the HTML pass.

/// A property value: text (or a URL) or a nested item.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(String),
    Item(Item),
}

/// One `itemscope` element: its types (short names, e.g. `LocalBusiness`) and properties.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Item {
    pub(crate) types: Vec<String>,
    pub(crate) props: Vec<(String, Value)>,
}

impl Item {
    pub(crate) fn new(types: Vec<String>) -> Self {
        Item {
            types,
            props: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, name: String, value: Value) {
        if self.props.len() < 256 {
            self.props.push((name, value));
        }
    }

    /// Every value of property `name`.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.props
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// The first text value of property `name`, non-empty.
    pub(crate) fn text<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.all(name).find_map(|v| match v {
            Value::Text(t) if !t.trim().is_empty() => Some(t.trim()),
            _ => None,
        })
    }

    /// Every item nested in this one, depth first, this one included.
    pub(crate) fn walk<'a>(&'a self, out: &mut Vec<&'a Item>) {
        out.push(self);
        for (_, v) in &self.props {
            if let Value::Item(i) = v {
                i.walk(out);
            }
        }
    }
}

/// The types of an `itemtype` attribute, as written (full URLs).
pub(crate) fn item_types(itemtype: &str) -> Vec<String> {
    itemtype.split_whitespace().map(str::to_owned).collect()
}

/// `"http://schema.org/LocalBusiness"` -> `"LocalBusiness"`.
pub(crate) fn short_type(t: &str) -> &str {
    t.trim_end_matches('/')
        .rsplit(['/', '#'])
        .next()
        .unwrap_or(t)
}

/// The item in the shape extruct and most tools print:
/// `{"type": …, "properties": {name: value or [values]}}`.
pub(crate) fn to_json(item: &Item) -> serde_json::Value {
    let mut props = serde_json::Map::new();
    for (name, value) in &item.props {
        let v = match value {
            Value::Text(t) => serde_json::Value::String(t.clone()),
            Value::Item(i) => to_json(i),
        };
        match props.get_mut(name) {
            Some(serde_json::Value::Array(list)) => list.push(v),
            Some(existing) => {
                let first = existing.take();
                *existing = serde_json::Value::Array(vec![first, v]);
            }
            None => {
                props.insert(name.clone(), v);
            }
        }
    }
    let kind = match item.types.as_slice() {
        [one] => serde_json::Value::String(one.clone()),
        many => serde_json::Value::from(many.to_vec()),
    };
    serde_json::json!({ "type": kind, "properties": props })
}
