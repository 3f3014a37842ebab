// Hand-written lexer and recursive-descent parser of the settings syntax (settings.h).
#include "config/settings.h"

#include <glob.h>

#include <fstream>
#include <map>
#include <memory>
#include <system_error>

namespace answerd::config {
namespace fs = std::filesystem;

const Setting* Section::find_setting(std::string_view key) const {
  for (const auto& s : settings)
    if (s.key == key) return &s;
  return nullptr;
}

const Section* Section::find_section(std::string_view n) const {
  for (const auto& s : sections)
    if (s.name == n) return &s;
  return nullptr;
}

namespace {

// Tree under construction: indexes make merging linear in the input size.
struct Node {
  std::string name;
  SourceLoc loc;
  std::vector<Setting> settings;
  std::map<std::string, std::size_t, std::less<>> setting_index;
  std::vector<std::unique_ptr<Node>> subs;
  std::map<std::string, std::size_t, std::less<>> sub_index;
};

Section freeze(Node& n) {
  Section s{.name = std::move(n.name), .loc = std::move(n.loc),
            .settings = std::move(n.settings), .sections = {}};
  s.sections.reserve(n.subs.size());
  for (auto& c : n.subs) s.sections.push_back(freeze(*c));
  return s;
}

void thaw(Section& s, Node& n) {
  for (auto& st : s.settings) {
    n.setting_index.emplace(st.key, n.settings.size());
    n.settings.push_back(std::move(st));
  }
  for (auto& sub : s.sections) {
    auto c = std::make_unique<Node>();
    c->name = sub.name;
    c->loc = sub.loc;
    thaw(sub, *c);
    n.sub_index.emplace(c->name, n.subs.size());
    n.subs.push_back(std::move(c));
  }
}

// Like strongSwan's lexer: any visible character except the syntax ones (its own
// strongswan.d files use section names such as "<name>").
bool is_name_char(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u == 0x7f) return false;
  switch (c) {
    case '#': case '{': case '}': case '=': case '"': case ':': case ',':
      return false;
    default:
      return true;
  }
}

std::string describe(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u > 0x20 && u < 0x7f) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 15];
}

struct Cursor {
  std::string_view text;
  std::size_t pos = 0;
  int line = 1;
  std::string file;
  fs::path dir;
  int include_depth = 0;

  [[nodiscard]] bool eof() const { return pos >= text.size(); }
  [[nodiscard]] char peek() const { return text[pos]; }
  [[nodiscard]] SourceLoc here() const { return {file, line}; }
};

class Parser {
 public:
  Parser(const ParseOptions& o, Diagnostics& d) : opt_(o), diags_(d) {}

  bool parse_text(std::string_view text, Cursor cur, Node& into);
  bool parse_file(const fs::path& path, const std::string& shown, int depth, Node& into,
                  const SourceLoc* from);

 private:
  bool fail(const SourceLoc& at, std::string msg) {
    diags_.error(at, std::move(msg));
    return false;
  }
  bool check_bytes(const Cursor& c);
  void skip_blank(Cursor& c, bool newlines);
  bool parse_block(Cursor& c, Node& node, int depth, const SourceLoc* opened);
  bool parse_entry(Cursor& c, Node& node, int depth);
  bool read_value(Cursor& c, std::string& out);
  bool read_quoted(Cursor& c, std::string& out);
  bool add_setting(Node& node, std::string key, std::string value, const SourceLoc& at);
  bool include(Cursor& c, const std::string& pattern, const SourceLoc& at, Node& node);
  bool count_entry(const SourceLoc& at) {
    if (++entries_ <= opt_.limits.max_entries) return true;
    return fail(at, "too many sections and settings (more than " +
                        std::to_string(opt_.limits.max_entries) + ")");
  }

  const ParseOptions& opt_;
  Diagnostics& diags_;
  std::vector<fs::path> stack_;  // files being read, for include loop detection
  std::size_t files_ = 0;
  std::size_t entries_ = 0;
};

bool Parser::check_bytes(const Cursor& c) {
  int line = 1;
  for (char ch : c.text) {
    unsigned char u = static_cast<unsigned char>(ch);
    if (ch == '\n') {
      ++line;
    } else if ((u < 0x20 && ch != '\t' && ch != '\r') || u == 0x7f) {
      return fail({c.file, line}, "invalid " + describe(ch) + " (binary data?)");
    }
  }
  return true;
}

void Parser::skip_blank(Cursor& c, bool newlines) {
  while (!c.eof()) {
    char ch = c.peek();
    if (ch == ' ' || ch == '\t' || ch == '\r') {
      ++c.pos;
    } else if (ch == '\n' && newlines) {
      ++c.pos;
      ++c.line;
    } else if (ch == '#' && newlines) {
      while (!c.eof() && c.peek() != '\n') ++c.pos;
    } else {
      return;
    }
  }
}

bool Parser::parse_text(std::string_view text, Cursor cur, Node& into) {
  cur.text = text;
  if (!check_bytes(cur)) return false;
  return parse_block(cur, into, 0, nullptr);
}

bool Parser::parse_block(Cursor& c, Node& node, int depth, const SourceLoc* opened) {
  for (;;) {
    skip_blank(c, true);
    if (c.eof()) {
      if (opened == nullptr) return true;
      return fail(c.here(), "missing '}' for section '" + node.name + "' opened at line " +
                                std::to_string(opened->line));
    }
    if (c.peek() == '}') {
      ++c.pos;
      if (opened != nullptr) return true;
      return fail(c.here(), "unexpected '}' without an open section");
    }
    if (!parse_entry(c, node, depth)) return false;
  }
}

bool Parser::parse_entry(Cursor& c, Node& node, int depth) {
  SourceLoc at = c.here();
  std::size_t start = c.pos;
  while (!c.eof() && is_name_char(c.peek())) ++c.pos;
  std::string name(c.text.substr(start, c.pos - start));
  if (name.empty()) return fail(at, "unexpected " + describe(c.peek()) + ", expected a name");
  if (name.size() > opt_.limits.max_name_bytes) return fail(at, "name too long");
  bool spaced = !c.eof() && (c.peek() == ' ' || c.peek() == '\t');
  skip_blank(c, false);
  if (name == "include" && spaced && !c.eof() && c.peek() != '=' && c.peek() != '{') {
    std::string pattern;
    if (!read_value(c, pattern)) return false;
    return include(c, pattern, at, node);
  }
  if (!c.eof() && c.peek() == '\n') skip_blank(c, true);  // "name\n{" opens a section too
  if (c.eof()) return fail(at, "expected '=' or '{' after '" + name + "'");
  char ch = c.peek();
  if (ch == '=') {
    ++c.pos;
    std::string value;
    if (!read_value(c, value)) return false;
    return add_setting(node, std::move(name), std::move(value), at);
  }
  if (ch == '{') {
    ++c.pos;
    if (depth + 1 > opt_.limits.max_depth)
      return fail(at, "sections nested too deeply (more than " +
                          std::to_string(opt_.limits.max_depth) + " levels)");
    if (!count_entry(at)) return false;
    auto it = node.sub_index.find(name);
    Node* sub;
    if (it == node.sub_index.end()) {
      node.sub_index.emplace(name, node.subs.size());
      node.subs.push_back(std::make_unique<Node>());
      sub = node.subs.back().get();
      sub->name = name;
      sub->loc = at;
    } else {
      sub = node.subs[it->second].get();  // strongSwan merges same-named sections
    }
    return parse_block(c, *sub, depth + 1, &at);
  }
  if (ch == ':')
    return fail(at, "section references ('" + name + " : other') are not supported");
  return fail(c.here(), "unexpected " + describe(ch) + " after '" + name + "', expected '=' or '{'");
}

bool Parser::add_setting(Node& node, std::string key, std::string value, const SourceLoc& at) {
  auto it = node.setting_index.find(key);
  if (it != node.setting_index.end()) {
    Setting& old = node.settings[it->second];
    diags_.warning(at, "'" + key + "' overrides the value set at " + old.loc.file + ":" +
                           std::to_string(old.loc.line));
    old.value = std::move(value);
    old.loc = at;
    return true;
  }
  if (!count_entry(at)) return false;
  node.setting_index.emplace(key, node.settings.size());
  node.settings.push_back({.key = std::move(key), .value = std::move(value), .loc = at});
  return true;
}

// A value is a sequence of unquoted words and quoted strings up to the end of the
// line, a comment or an unquoted '}'; parts are joined with a single space.
bool Parser::read_value(Cursor& c, std::string& out) {
  bool first = true;
  for (;;) {
    skip_blank(c, false);
    if (c.eof()) return true;
    char ch = c.peek();
    if (ch == '\n' || ch == '#' || ch == '}') return true;
    if (ch == '{') return fail(c.here(), "unexpected '{' in a value (quote the value?)");
    if (!first) out.push_back(' ');
    first = false;
    if (ch == '"') {
      if (!read_quoted(c, out)) return false;
    } else {
      while (!c.eof()) {
        ch = c.peek();
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '#' || ch == '"' ||
            ch == '{' || ch == '}')
          break;
        out.push_back(ch);
        ++c.pos;
      }
    }
    if (out.size() > opt_.limits.max_value_bytes)
      return fail(c.here(), "value too long (more than " +
                                std::to_string(opt_.limits.max_value_bytes) + " bytes)");
  }
}

bool Parser::read_quoted(Cursor& c, std::string& out) {
  SourceLoc opened = c.here();
  ++c.pos;  // opening quote
  while (!c.eof()) {
    char ch = c.peek();
    ++c.pos;
    if (ch == '"') return true;
    if (ch == '\n') ++c.line;
    if (ch == '\\' && !c.eof()) {
      char e = c.peek();
      ++c.pos;
      switch (e) {
        case 'n': ch = '\n'; break;
        case 'r': ch = '\r'; break;
        case 't': ch = '\t'; break;
        case '"': case '\\': ch = e; break;
        case '\n': ++c.line; continue;  // escaped line break joins lines
        case '\r':
          if (!c.eof() && c.peek() == '\n') {
            ++c.pos;
            ++c.line;
            continue;
          }
          out.push_back('\\');
          ch = e;
          break;
        default: out.push_back('\\'); ch = e; break;  // unknown escape: kept as written
      }
    }
    out.push_back(ch);
    if (out.size() > opt_.limits.max_value_bytes)
      return fail(opened, "quoted string too long (more than " +
                              std::to_string(opt_.limits.max_value_bytes) + " bytes)");
  }
  return fail(opened, "unterminated quoted string");
}

bool has_wildcard(const std::string& s) {
  return s.find_first_of("*?[") != std::string::npos;
}

bool Parser::include(Cursor& c, const std::string& pattern, const SourceLoc& at, Node& node) {
  if (!opt_.allow_include) return fail(at, "include is not allowed here");
  if (pattern.empty()) return fail(at, "include needs a file name or pattern");
  fs::path p(pattern);
  if (p.is_relative()) p = c.dir / p;
  glob_t g{};
  int rc = ::glob(p.c_str(), GLOB_ERR, nullptr, &g);
  std::vector<std::string> files;
  if (rc == 0)
    for (std::size_t i = 0; i < g.gl_pathc; ++i) files.emplace_back(g.gl_pathv[i]);
  ::globfree(&g);
  if (rc == GLOB_NOMATCH) {
    if (has_wildcard(pattern)) return true;  // an empty glob includes nothing
    return fail(at, "include file '" + p.string() + "' not found");
  }
  if (rc != 0) return fail(at, "cannot expand include pattern '" + p.string() + "'");
  for (const auto& f : files) {
    if (!parse_file(f, f, c.include_depth + 1, node, &at)) return false;
  }
  return true;
}

bool Parser::parse_file(const fs::path& path, const std::string& shown, int depth, Node& into,
                        const SourceLoc* from) {
  SourceLoc at = from ? *from : SourceLoc{shown, 0};
  if (depth > opt_.limits.max_include_depth)
    return fail(at, "includes nested too deeply (more than " +
                        std::to_string(opt_.limits.max_include_depth) + " levels)");
  if (++files_ > opt_.limits.max_files)
    return fail(at, "too many included files (more than " +
                        std::to_string(opt_.limits.max_files) + ")");
  std::error_code ec;
  fs::path canon = fs::weakly_canonical(path, ec);
  if (ec) canon = path;
  for (const auto& open : stack_)
    if (open == canon) return fail(at, "include loop: '" + shown + "' is already being read");
  if (fs::is_directory(path, ec)) return fail(at, "'" + shown + "' is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(at, "cannot open '" + shown + "'");
  std::string text;
  text.resize(opt_.limits.max_file_bytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return fail(at, "cannot read '" + shown + "'");
  if (text.size() > opt_.limits.max_file_bytes)
    return fail({shown, 0}, "file too large (more than " +
                                std::to_string(opt_.limits.max_file_bytes) + " bytes)");
  stack_.push_back(canon);
  Cursor cur{.text = {}, .pos = 0, .line = 1, .file = shown, .dir = path.parent_path(),
             .include_depth = depth};
  bool ok = parse_text(text, std::move(cur), into);
  stack_.pop_back();
  return ok;
}

}  // namespace

bool parse_settings_text(std::string_view text, const std::string& name,
                         const ParseOptions& options, Section& root, Diagnostics& diags) {
  Node node;
  thaw(root, node);
  Parser p(options, diags);
  std::error_code ec;
  fs::path dir = options.base_dir.empty() ? fs::current_path(ec) : options.base_dir;
  Cursor cur{.text = {}, .pos = 0, .line = 1, .file = name, .dir = dir, .include_depth = 0};
  bool ok = p.parse_text(text, std::move(cur), node);
  root = freeze(node);
  return ok;
}

bool parse_settings_file(const fs::path& path, const ParseOptions& options, Section& root,
                         Diagnostics& diags) {
  Node node;
  thaw(root, node);
  Parser p(options, diags);
  bool ok = p.parse_file(path, path.string(), 0, node, nullptr);
  root = freeze(node);
  return ok;
}

}  // namespace answerd::config
