// A test-only renderer for the Jinja subset gemba's chat templates are written in
// (chat_template_jinja): {{ expr }}, {% for x in expr %}, {% if %}/{% elif %}/{% else %},
// string and integer literals with '\n' escapes, + on strings, == and !=, and / or / not,
// subscripts ['key'] and [0], attributes (loop.index0, loop.first, loop.last). It lets the
// tests check the Jinja text itself against gemba's formatter; anything outside the subset
// throws, so a template edited beyond what llama.cpp's and transformers' engines are checked
// to agree on fails the test instead of rendering silently.
#pragma once
#include <cctype>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace gemba::tokenizer::test::jinja {

struct Value {
  enum Type { kNull, kBool, kInt, kString, kObject, kList } type = kNull;
  bool b = false;
  long long i = 0;
  std::string s;
  std::vector<std::pair<std::string, Value>> object;
  std::vector<Value> list;

  static Value str(std::string v) { Value x; x.type = kString; x.s = std::move(v); return x; }
  static Value boolean(bool v) { Value x; x.type = kBool; x.b = v; return x; }
  static Value integer(long long v) { Value x; x.type = kInt; x.i = v; return x; }
  bool truthy() const {
    switch (type) {
      case kNull: return false;
      case kBool: return b;
      case kInt: return i != 0;
      case kString: return !s.empty();
      case kObject: return !object.empty();
      case kList: return !list.empty();
    }
    return false;
  }
  const Value* field(const std::string& k) const {
    for (const auto& [key, v] : object)
      if (key == k) return &v;
    return nullptr;
  }
  bool operator==(const Value& o) const {
    if (type != o.type) return false;
    switch (type) {
      case kNull: return true;
      case kBool: return b == o.b;
      case kInt: return i == o.i;
      case kString: return s == o.s;
      default: throw std::runtime_error("jinja subset: == on objects or lists");
    }
  }
};

class Template {
 public:
  explicit Template(const std::string& src) {
    size_t pos = 0;
    parse_body(src, pos, root_, {});
    if (pos != src.size()) throw std::runtime_error("jinja subset: unexpected tag at " + std::to_string(pos));
  }

  std::string render(std::vector<std::pair<std::string, Value>> globals) const {
    Scope scope{std::move(globals)};
    std::string out;
    run(root_, scope, out);
    return out;
  }

 private:
  // ---- expressions ----
  struct Expr {
    enum Kind { kLiteral, kName, kSubscript, kAttr, kAdd, kEq, kNe, kAnd, kOr, kNot } kind;
    Value literal;
    std::string name;
    std::vector<std::shared_ptr<Expr>> args;
  };
  using ExprPtr = std::shared_ptr<Expr>;

  struct Lexer {
    const std::string& s;
    size_t p = 0;
    void skip() { while (p < s.size() && std::isspace(static_cast<unsigned char>(s[p]))) ++p; }
    bool eat(const std::string& t) {
      skip();
      if (s.compare(p, t.size(), t) != 0) return false;
      // keywords must end at a word boundary
      if (std::isalpha(static_cast<unsigned char>(t.back())) && p + t.size() < s.size() &&
          (std::isalnum(static_cast<unsigned char>(s[p + t.size()])) || s[p + t.size()] == '_'))
        return false;
      p += t.size();
      return true;
    }
    bool done() { skip(); return p >= s.size(); }
  };

  static ExprPtr make(Expr::Kind k, std::vector<ExprPtr> args = {}) {
    auto e = std::make_shared<Expr>();
    e->kind = k;
    e->args = std::move(args);
    return e;
  }

  // A left-associative chain: next (op next)*.
  static ExprPtr parse_chain(Lexer& lx, const char* op, Expr::Kind kind, ExprPtr (*next)(Lexer&)) {
    auto l = next(lx);
    while (lx.eat(op)) l = make(kind, {l, next(lx)});
    return l;
  }
  static ExprPtr parse_expr(Lexer& lx) { return parse_or(lx); }
  static ExprPtr parse_or(Lexer& lx) { return parse_chain(lx, "or", Expr::kOr, parse_and); }
  static ExprPtr parse_and(Lexer& lx) { return parse_chain(lx, "and", Expr::kAnd, parse_not); }
  static ExprPtr parse_not(Lexer& lx) {
    if (lx.eat("not")) return make(Expr::kNot, {parse_not(lx)});
    return parse_cmp(lx);
  }
  static ExprPtr parse_cmp(Lexer& lx) {
    auto l = parse_add(lx);
    if (lx.eat("==")) return make(Expr::kEq, {l, parse_add(lx)});
    if (lx.eat("!=")) return make(Expr::kNe, {l, parse_add(lx)});
    return l;
  }
  static ExprPtr parse_add(Lexer& lx) { return parse_chain(lx, "+", Expr::kAdd, parse_postfix); }
  static ExprPtr parse_postfix(Lexer& lx) {
    auto e = parse_primary(lx);
    for (;;) {
      if (lx.eat("[")) {
        e = make(Expr::kSubscript, {e, parse_expr(lx)});
        if (!lx.eat("]")) throw std::runtime_error("jinja subset: expected ]");
      } else if (lx.eat(".")) {
        auto a = make(Expr::kAttr, {e});
        a->name = parse_name(lx);
        e = a;
      } else {
        return e;
      }
    }
  }
  static std::string parse_name(Lexer& lx) {
    lx.skip();
    size_t b = lx.p;
    while (lx.p < lx.s.size() && (std::isalnum(static_cast<unsigned char>(lx.s[lx.p])) || lx.s[lx.p] == '_')) ++lx.p;
    if (b == lx.p) throw std::runtime_error("jinja subset: expected a name at '" + lx.s.substr(b) + "'");
    return lx.s.substr(b, lx.p - b);
  }
  static ExprPtr parse_primary(Lexer& lx) {
    lx.skip();
    if (lx.eat("(")) {
      auto e = parse_expr(lx);
      if (!lx.eat(")")) throw std::runtime_error("jinja subset: expected )");
      return e;
    }
    const char c = lx.p < lx.s.size() ? lx.s[lx.p] : '\0';
    if (c == '\'' || c == '"') {
      ++lx.p;
      std::string v;
      while (lx.p < lx.s.size() && lx.s[lx.p] != c) {
        char ch = lx.s[lx.p++];
        if (ch == '\\' && lx.p < lx.s.size()) {
          const char esc = lx.s[lx.p++];
          ch = esc == 'n' ? '\n' : esc == 't' ? '\t' : esc;
        }
        v += ch;
      }
      if (lx.p >= lx.s.size()) throw std::runtime_error("jinja subset: unterminated string");
      ++lx.p;
      auto e = make(Expr::kLiteral);
      e->literal = Value::str(v);
      return e;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t b = lx.p;
      while (lx.p < lx.s.size() && std::isdigit(static_cast<unsigned char>(lx.s[lx.p]))) ++lx.p;
      auto e = make(Expr::kLiteral);
      e->literal = Value::integer(std::stoll(lx.s.substr(b, lx.p - b)));
      return e;
    }
    const std::string name = parse_name(lx);
    auto e = make(Expr::kLiteral);
    if (name == "true" || name == "True") e->literal = Value::boolean(true);
    else if (name == "false" || name == "False") e->literal = Value::boolean(false);
    else { e->kind = Expr::kName; e->name = name; }
    return e;
  }

  // ---- statements ----
  struct Node {
    enum Kind { kText, kPrint, kIf, kFor } kind;
    std::string text;                                  // kText; kFor: the loop variable
    ExprPtr expr;                                      // kPrint; kFor: the sequence
    std::vector<std::pair<ExprPtr, std::vector<Node>>> branches;  // kIf: (condition or null for else, body)
    std::vector<Node> body;                            // kFor
  };

  static ExprPtr compile(const std::string& src) {
    Lexer lx{src};
    auto e = parse_expr(lx);
    if (!lx.done()) throw std::runtime_error("jinja subset: cannot parse '" + src + "'");
    return e;
  }

  // Parses until a {% tag %} whose first word is in `stops` (left unconsumed: pos at '{%').
  static std::string parse_body(const std::string& src, size_t& pos, std::vector<Node>& out,
                                const std::vector<std::string>& stops) {
    while (pos < src.size()) {
      const size_t open = src.find('{', pos);
      if (open == std::string::npos || open + 1 >= src.size() || (src[open + 1] != '{' && src[open + 1] != '%')) {
        const size_t next = open == std::string::npos ? src.size() : open + 1;
        out.push_back({Node::kText, src.substr(pos, next - pos), nullptr, {}, {}});
        pos = next;
        continue;
      }
      if (open > pos) out.push_back({Node::kText, src.substr(pos, open - pos), nullptr, {}, {}});
      const bool is_print = src[open + 1] == '{';
      const size_t close = src.find(is_print ? "}}" : "%}", open + 2);
      if (close == std::string::npos) throw std::runtime_error("jinja subset: unclosed tag");
      const std::string inner = src.substr(open + 2, close - open - 2);
      if (is_print) {
        out.push_back({Node::kPrint, "", compile(inner), {}, {}});
        pos = close + 2;
        continue;
      }
      Lexer lx{inner};
      const std::string word = parse_name(lx);
      for (const auto& s : stops)
        if (word == s) {
          pos = open;
          return word;
        }
      pos = close + 2;
      const std::string rest = inner.substr(lx.p);
      if (word == "if") {
        Node n{Node::kIf, "", nullptr, {}, {}};
        ExprPtr cond = compile(rest);
        for (;;) {
          std::vector<Node> body;
          const std::string stop = parse_body(src, pos, body, {"elif", "else", "endif"});
          n.branches.emplace_back(cond, std::move(body));
          const size_t tag_close = src.find("%}", pos);
          Lexer t{src.substr(pos + 2, tag_close - pos - 2)};
          parse_name(t);
          const std::string tag_rest = t.s.substr(t.p);
          pos = tag_close + 2;
          if (stop == "endif") break;
          cond = stop == "elif" ? compile(tag_rest) : nullptr;
        }
        out.push_back(std::move(n));
      } else if (word == "for") {
        Node n{Node::kFor, parse_name(lx), nullptr, {}, {}};
        if (!lx.eat("in")) throw std::runtime_error("jinja subset: expected 'in'");
        n.expr = compile(inner.substr(lx.p));
        if (parse_body(src, pos, n.body, {"endfor"}) != "endfor") throw std::runtime_error("jinja subset: no endfor");
        pos = src.find("%}", pos) + 2;
        out.push_back(std::move(n));
      } else {
        throw std::runtime_error("jinja subset: unsupported tag '" + word + "'");
      }
    }
    if (!stops.empty()) throw std::runtime_error("jinja subset: missing end tag");
    return "";
  }

  // ---- evaluation ----
  struct Scope {
    std::vector<std::pair<std::string, Value>> vars;
    const Value* find(const std::string& n) const {
      for (auto it = vars.rbegin(); it != vars.rend(); ++it)
        if (it->first == n) return &it->second;
      return nullptr;
    }
  };

  static Value eval(const Expr& e, const Scope& scope) {
    switch (e.kind) {
      case Expr::kLiteral: return e.literal;
      case Expr::kName: {
        const Value* v = scope.find(e.name);
        if (!v) throw std::runtime_error("jinja subset: undefined '" + e.name + "'");
        return *v;
      }
      case Expr::kAttr:
      case Expr::kSubscript: {
        const Value base = eval(*e.args[0], scope);
        const Value key = e.kind == Expr::kAttr ? Value::str(e.name) : eval(*e.args[1], scope);
        if (base.type == Value::kObject && key.type == Value::kString) {
          const Value* v = base.field(key.s);
          if (!v) throw std::runtime_error("jinja subset: no field '" + key.s + "'");
          return *v;
        }
        if (base.type == Value::kList && key.type == Value::kInt) {
          if (key.i < 0 || static_cast<size_t>(key.i) >= base.list.size()) throw std::runtime_error("jinja subset: index out of range");
          return base.list[static_cast<size_t>(key.i)];
        }
        throw std::runtime_error("jinja subset: bad subscript");
      }
      case Expr::kAdd: {
        const Value l = eval(*e.args[0], scope), r = eval(*e.args[1], scope);
        if (l.type != Value::kString || r.type != Value::kString) throw std::runtime_error("jinja subset: + on non-strings");
        return Value::str(l.s + r.s);
      }
      case Expr::kEq: return Value::boolean(eval(*e.args[0], scope) == eval(*e.args[1], scope));
      case Expr::kNe: return Value::boolean(!(eval(*e.args[0], scope) == eval(*e.args[1], scope)));
      case Expr::kAnd: return Value::boolean(eval(*e.args[0], scope).truthy() && eval(*e.args[1], scope).truthy());
      case Expr::kOr: return Value::boolean(eval(*e.args[0], scope).truthy() || eval(*e.args[1], scope).truthy());
      case Expr::kNot: return Value::boolean(!eval(*e.args[0], scope).truthy());
    }
    throw std::runtime_error("jinja subset: bad expression");
  }

  static void run(const std::vector<Node>& nodes, Scope& scope, std::string& out) {
    for (const auto& n : nodes) {
      switch (n.kind) {
        case Node::kText: out += n.text; break;
        case Node::kPrint: {
          const Value v = eval(*n.expr, scope);
          if (v.type != Value::kString) throw std::runtime_error("jinja subset: printing a non-string");
          out += v.s;
          break;
        }
        case Node::kIf:
          for (const auto& [cond, body] : n.branches)
            if (!cond || eval(*cond, scope).truthy()) {
              run(body, scope, out);
              break;
            }
          break;
        case Node::kFor: {
          const Value seq = eval(*n.expr, scope);
          if (seq.type != Value::kList) throw std::runtime_error("jinja subset: for over a non-list");
          for (size_t i = 0; i < seq.list.size(); ++i) {
            Value loop;
            loop.type = Value::kObject;
            loop.object = {{"index0", Value::integer(static_cast<long long>(i))},
                           {"index", Value::integer(static_cast<long long>(i + 1))},
                           {"first", Value::boolean(i == 0)},
                           {"last", Value::boolean(i + 1 == seq.list.size())}};
            scope.vars.emplace_back(n.text, seq.list[i]);
            scope.vars.emplace_back("loop", loop);
            run(n.body, scope, out);
            scope.vars.pop_back();
            scope.vars.pop_back();
          }
          break;
        }
      }
    }
  }

  std::vector<Node> root_;
};

}  // namespace gemba::tokenizer::test::jinja
