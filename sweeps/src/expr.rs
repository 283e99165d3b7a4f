//! Constraint expressions: a small arithmetic and logic language over numbers.
//!
//! ```text
//! arch.pe_array.rows * arch.pe_array.cols <= 65536
//! workload.batch * workload.context <= 1e6 && log2(arch.dram.channels) >= 2
//! ```
//!
//! Grammar, loosest binding first: `||`; `&&`; comparisons `< <= > >= == !=` (not
//! chained); `+ -`; `* /`; unary `- !`; `^` (right-associative, binds tighter than a unary
//! minus on its left: `-2^2 = -4`, `2^3^2 = 512`); primaries: numbers (`64`, `1.5`,
//! `1e6`), dotted names, `( … )` and functions `min(a, b, …)`, `max(a, b, …)`, `log2`,
//! `log10`, `ln`, `exp`, `sqrt`, `abs`, `floor`, `ceil`. Numbers are `f64` (IEEE rules:
//! `x / 0` is infinite, a comparison with NaN is false); `&&`/`||` short-circuit.
//! Types are checked when parsing: arithmetic takes numbers, `&& || !` take comparisons.
//! The parser is hand-written precedence climbing, so errors point at a column.
//!
//! ```
//! use sweeps::expr::Expr;
//! let e = Expr::parse_condition("rows * cols <= 2^16").unwrap();
//! assert_eq!(e.variables(), ["rows", "cols"]);
//! let value = |i: usize| Ok([128.0, 512.0][i]);
//! assert_eq!(e.eval_bool(&value), Ok(true));
//! ```

use std::fmt;

use arch::suggest::closest;

/// A parse or type error, at a 1-based character column of the expression.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprError {
    /// 1-based character column where the problem starts.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// The closest valid name (for an unknown function or variable).
    pub suggestion: Option<String>,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ExprError {}

const FUNCTIONS: [&str; 10] = [
    "min", "max", "log2", "log10", "ln", "exp", "sqrt", "abs", "floor", "ceil",
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Or,
    And,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    Add,
    Sub,
    Mul,
    Div,
}

impl Op {
    fn prec(self) -> u8 {
        match self {
            Op::Or => 1,
            Op::And => 2,
            Op::Lt | Op::Le | Op::Gt | Op::Ge | Op::Eq | Op::Ne => 3,
            Op::Add | Op::Sub => 4,
            Op::Mul | Op::Div => 5,
        }
    }
    fn is_comparison(self) -> bool {
        self.prec() == 3
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Op(Op),
    Pow,
    Not,
    LParen,
    RParen,
    Comma,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Ty {
    Num,
    Bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Num(f64),
    Var(usize),
    Neg(Box<Node>),
    Not(Box<Node>),
    Pow(Box<Node>, Box<Node>),
    Bin(Op, Box<Node>, Box<Node>),
    Call(&'static str, Vec<Node>),
}

/// A parsed, type-checked expression. Variables are numbered in order of first
/// appearance ([`Expr::variables`]); evaluation asks for them by number.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    text: String,
    root: Node,
    ty: Ty,
    vars: Vec<String>,
    var_columns: Vec<usize>,
}

impl Expr {
    /// Parses an expression that must be a condition (a comparison or a logic
    /// combination of comparisons).
    pub fn parse_condition(text: &str) -> Result<Expr, ExprError> {
        let e = Self::parse(text)?;
        if e.ty != Ty::Bool {
            return Err(ExprError {
                column: 1,
                message: "expected a condition such as `a * b <= 65536`, found a number".into(),
                suggestion: None,
            });
        }
        Ok(e)
    }

    /// Parses a numeric or boolean expression.
    pub fn parse(text: &str) -> Result<Expr, ExprError> {
        let toks = lex(text)?;
        let mut p = Parser {
            toks,
            pos: 0,
            vars: Vec::new(),
            var_columns: Vec::new(),
        };
        let (root, ty) = p.binary(1)?;
        let (tok, col) = p.peek();
        if *tok != Tok::End {
            return Err(err(
                col,
                format!("unexpected {} after the expression", show(tok)),
            ));
        }
        Ok(Expr {
            text: text.to_string(),
            root,
            ty,
            vars: p.vars,
            var_columns: p.var_columns,
        })
    }

    /// The expression as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The variable names, in order of first appearance (their numbers in evaluation).
    pub fn variables(&self) -> &[String] {
        &self.vars
    }

    /// The 1-based column of the first appearance of variable `i`.
    pub fn variable_column(&self, i: usize) -> usize {
        self.var_columns.get(i).copied().unwrap_or(1)
    }

    /// Evaluates a condition; `var(i)` gives the value of variable `i`.
    pub fn eval_bool(&self, var: &dyn Fn(usize) -> Result<f64, String>) -> Result<bool, String> {
        eval_bool(&self.root, var)
    }

    /// Evaluates a numeric expression; `var(i)` gives the value of variable `i`.
    pub fn eval_num(&self, var: &dyn Fn(usize) -> Result<f64, String>) -> Result<f64, String> {
        eval_num(&self.root, var)
    }
}

fn err(column: usize, message: impl Into<String>) -> ExprError {
    ExprError {
        column,
        message: message.into(),
        suggestion: None,
    }
}

fn show(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number `{n}`"),
        Tok::Name(n) => format!("name `{n}`"),
        Tok::Op(o) => format!("operator `{}`", op_text(*o)),
        Tok::Pow => "`^`".into(),
        Tok::Not => "`!`".into(),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::Comma => "`,`".into(),
        Tok::End => "the end".into(),
    }
}

fn op_text(o: Op) -> &'static str {
    match o {
        Op::Or => "||",
        Op::And => "&&",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Eq => "==",
        Op::Ne => "!=",
        Op::Add => "+",
        Op::Sub => "-",
        Op::Mul => "*",
        Op::Div => "/",
    }
}

fn lex(text: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let lexeme: String = chars[start..i].iter().collect();
            let n = lexeme
                .parse::<f64>()
                .map_err(|_| err(col, format!("`{lexeme}` is not a number")))?;
            out.push((Tok::Num(n), col));
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect();
            if name.ends_with('.') || name.contains("..") {
                return Err(err(col, format!("`{name}` has an empty key segment")));
            }
            out.push((Tok::Name(name), col));
            continue;
        }
        let two = next.map(|n| [c, n]);
        let (tok, len) = match (c, two) {
            (_, Some(['<', '='])) => (Tok::Op(Op::Le), 2),
            (_, Some(['>', '='])) => (Tok::Op(Op::Ge), 2),
            (_, Some(['=', '='])) => (Tok::Op(Op::Eq), 2),
            (_, Some(['!', '='])) => (Tok::Op(Op::Ne), 2),
            (_, Some(['&', '&'])) => (Tok::Op(Op::And), 2),
            (_, Some(['|', '|'])) => (Tok::Op(Op::Or), 2),
            (_, Some(['*', '*'])) => {
                return Err(err(col, "unknown operator `**` (use `^` for powers)"));
            }
            ('<', _) => (Tok::Op(Op::Lt), 1),
            ('>', _) => (Tok::Op(Op::Gt), 1),
            ('+', _) => (Tok::Op(Op::Add), 1),
            ('-', _) => (Tok::Op(Op::Sub), 1),
            ('*', _) => (Tok::Op(Op::Mul), 1),
            ('/', _) => (Tok::Op(Op::Div), 1),
            ('^', _) => (Tok::Pow, 1),
            ('!', _) => (Tok::Not, 1),
            ('(', _) => (Tok::LParen, 1),
            (')', _) => (Tok::RParen, 1),
            (',', _) => (Tok::Comma, 1),
            ('=', _) => return Err(err(col, "unknown operator `=` (use `==` to compare)")),
            ('&', _) => return Err(err(col, "unknown operator `&` (use `&&`)")),
            ('|', _) => return Err(err(col, "unknown operator `|` (use `||`)")),
            _ => return Err(err(col, format!("unexpected character `{c}`"))),
        };
        out.push((tok, col));
        i += len;
    }
    out.push((Tok::End, chars.len() + 1));
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    vars: Vec<String>,
    var_columns: Vec<usize>,
}

fn need(ty: Ty, want: Ty, col: usize, what: &str) -> Result<(), ExprError> {
    match (ty, want) {
        (Ty::Num, Ty::Bool) => Err(err(
            col,
            format!("{what} needs a condition (a comparison), found a number"),
        )),
        (Ty::Bool, Ty::Num) => Err(err(
            col,
            format!("{what} needs a number, found a condition"),
        )),
        _ => Ok(()),
    }
}

impl Parser {
    fn peek(&self) -> (&Tok, usize) {
        let i = self.pos.min(self.toks.len() - 1);
        (&self.toks[i].0, self.toks[i].1)
    }

    fn bump(&mut self) -> (Tok, usize) {
        let i = self.pos.min(self.toks.len() - 1);
        self.pos += 1;
        self.toks[i].clone()
    }

    fn binary(&mut self, min_prec: u8) -> Result<(Node, Ty), ExprError> {
        let lhs_col = self.peek().1;
        let (mut lhs, mut lty) = self.unary()?;
        let mut lhs_is_cmp = false;
        loop {
            let (tok, col) = self.peek();
            let Tok::Op(op) = *tok else { break };
            if op.prec() < min_prec {
                break;
            }
            self.bump();
            if op.is_comparison() && lhs_is_cmp {
                return Err(err(
                    col,
                    "comparisons cannot be chained: join them with `&&`",
                ));
            }
            let rhs_col = self.peek().1;
            let (rhs, rty) = self.binary(op.prec() + 1)?;
            let what = format!("`{}`", op_text(op));
            let operand = if matches!(op, Op::And | Op::Or) {
                Ty::Bool
            } else {
                Ty::Num
            };
            need(lty, operand, lhs_col, &what)?;
            need(rty, operand, rhs_col, &what)?;
            lty = if operand == Ty::Bool || op.is_comparison() {
                Ty::Bool
            } else {
                Ty::Num
            };
            lhs_is_cmp = op.is_comparison();
            lhs = Node::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        Ok((lhs, lty))
    }

    fn unary(&mut self) -> Result<(Node, Ty), ExprError> {
        let (tok, col) = self.peek();
        match tok {
            Tok::Op(Op::Sub) => {
                self.bump();
                let (n, ty) = self.unary()?;
                need(ty, Ty::Num, col + 1, "unary `-`")?;
                Ok((Node::Neg(Box::new(n)), Ty::Num))
            }
            Tok::Not => {
                self.bump();
                let (n, ty) = self.unary()?;
                need(ty, Ty::Bool, col + 1, "`!`")?;
                Ok((Node::Not(Box::new(n)), Ty::Bool))
            }
            _ => self.power(),
        }
    }

    fn power(&mut self) -> Result<(Node, Ty), ExprError> {
        let base_col = self.peek().1;
        let (base, bty) = self.primary()?;
        if *self.peek().0 != Tok::Pow {
            return Ok((base, bty));
        }
        self.bump();
        let exp_col = self.peek().1;
        let (exp, ety) = self.unary()?;
        need(bty, Ty::Num, base_col, "`^`")?;
        need(ety, Ty::Num, exp_col, "`^`")?;
        Ok((Node::Pow(Box::new(base), Box::new(exp)), Ty::Num))
    }

    fn primary(&mut self) -> Result<(Node, Ty), ExprError> {
        let (tok, col) = self.bump();
        match tok {
            Tok::Num(n) => Ok((Node::Num(n), Ty::Num)),
            Tok::LParen => {
                let inner = self.binary(1)?;
                let (t, c) = self.bump();
                if t != Tok::RParen {
                    return Err(err(c, format!("expected `)`, found {}", show(&t))));
                }
                Ok(inner)
            }
            Tok::Name(name) if *self.peek().0 == Tok::LParen => self.call(&name, col),
            Tok::Name(name) => {
                let i = match self.vars.iter().position(|v| *v == name) {
                    Some(i) => i,
                    None => {
                        self.vars.push(name);
                        self.var_columns.push(col);
                        self.vars.len() - 1
                    }
                };
                Ok((Node::Var(i), Ty::Num))
            }
            t => Err(err(
                col,
                format!("expected a number, a name or `(`, found {}", show(&t)),
            )),
        }
    }

    fn call(&mut self, name: &str, col: usize) -> Result<(Node, Ty), ExprError> {
        let Some(f) = FUNCTIONS.iter().find(|f| **f == name) else {
            return Err(ExprError {
                column: col,
                message: format!("unknown function `{name}`; known: {}", FUNCTIONS.join(", ")),
                suggestion: closest(name, FUNCTIONS),
            });
        };
        self.bump(); // `(`
        let mut args = Vec::new();
        loop {
            let arg_col = self.peek().1;
            let (a, ty) = self.binary(1)?;
            need(ty, Ty::Num, arg_col, &format!("`{f}`"))?;
            args.push(a);
            let (t, c) = self.bump();
            match t {
                Tok::Comma => {}
                Tok::RParen => break,
                t => return Err(err(c, format!("expected `,` or `)`, found {}", show(&t)))),
            }
        }
        let variadic = matches!(*f, "min" | "max");
        if variadic && args.len() < 2 {
            return Err(err(col, format!("`{f}` takes two or more arguments")));
        }
        if !variadic && args.len() != 1 {
            return Err(err(
                col,
                format!("`{f}` takes one argument, found {}", args.len()),
            ));
        }
        Ok((Node::Call(f, args), Ty::Num))
    }
}

type VarFn<'a> = &'a dyn Fn(usize) -> Result<f64, String>;

fn eval_num(n: &Node, var: VarFn<'_>) -> Result<f64, String> {
    Ok(match n {
        Node::Num(x) => *x,
        Node::Var(i) => var(*i)?,
        Node::Neg(a) => -eval_num(a, var)?,
        Node::Pow(a, b) => eval_num(a, var)?.powf(eval_num(b, var)?),
        Node::Bin(op, a, b) => {
            let (x, y) = (eval_num(a, var)?, eval_num(b, var)?);
            match op {
                Op::Add => x + y,
                Op::Sub => x - y,
                Op::Mul => x * y,
                Op::Div => x / y,
                _ => return Err(format!("`{}` is not arithmetic", op_text(*op))),
            }
        }
        Node::Call(f, args) => {
            let vals = args
                .iter()
                .map(|a| eval_num(a, var))
                .collect::<Result<Vec<_>, _>>()?;
            let x = vals.first().copied().unwrap_or(f64::NAN);
            match *f {
                "min" => vals.iter().copied().fold(f64::INFINITY, f64::min),
                "max" => vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                "log2" => x.log2(),
                "log10" => x.log10(),
                "ln" => x.ln(),
                "exp" => x.exp(),
                "sqrt" => x.sqrt(),
                "abs" => x.abs(),
                "floor" => x.floor(),
                "ceil" => x.ceil(),
                other => return Err(format!("unknown function `{other}`")),
            }
        }
        Node::Not(_) => return Err("a condition is not a number".into()),
    })
}

fn eval_bool(n: &Node, var: VarFn<'_>) -> Result<bool, String> {
    match n {
        Node::Not(a) => Ok(!eval_bool(a, var)?),
        Node::Bin(Op::And, a, b) => Ok(eval_bool(a, var)? && eval_bool(b, var)?),
        Node::Bin(Op::Or, a, b) => Ok(eval_bool(a, var)? || eval_bool(b, var)?),
        Node::Bin(op, a, b) if op.is_comparison() => {
            let (x, y) = (eval_num(a, var)?, eval_num(b, var)?);
            Ok(match op {
                Op::Lt => x < y,
                Op::Le => x <= y,
                Op::Gt => x > y,
                Op::Ge => x >= y,
                Op::Eq => x == y,
                _ => x != y,
            })
        }
        _ => Err("a number is not a condition".into()),
    }
}
