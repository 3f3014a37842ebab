// The settings syntax: sections, values, quoting, comments, includes, hostile input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "config/settings.h"
#include "test_util.h"

namespace answerd::config::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Section parse_ok(const std::string& text) {
  Section root;
  auto errs = syntax_errors(text, &root);
  EXPECT_THAT(errs, IsEmpty()) << text;
  return root;
}

TEST(Settings, SectionsKeysAndLines) {
  Section root = parse_ok("# comment\na {\n  k = v   # trailing\n  b {\n    x = 1\n  }\n}\ntop = 2\n");
  ASSERT_EQ(root.sections.size(), 1u);
  const Section& a = root.sections[0];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.loc, (SourceLoc{"t.conf", 2}));
  ASSERT_NE(a.find_setting("k"), nullptr);
  EXPECT_EQ(a.find_setting("k")->value, "v");
  EXPECT_EQ(a.find_setting("k")->loc.line, 3);
  ASSERT_NE(a.find_section("b"), nullptr);
  EXPECT_EQ(a.find_section("b")->find_setting("x")->loc.line, 5);
  EXPECT_EQ(root.find_setting("top")->value, "2");
}

TEST(Settings, ValueWordsJoinWithOneSpace) {
  Section root = parse_ok("k =   a    b\tc  \n");
  EXPECT_EQ(root.find_setting("k")->value, "a b c");
}

TEST(Settings, EmptyValue) {
  Section root = parse_ok("k =\nj = # nothing\n");
  EXPECT_EQ(root.find_setting("k")->value, "");
  EXPECT_EQ(root.find_setting("j")->value, "");
}

TEST(Settings, QuotedStringsAndEscapes) {
  Section root = parse_ok(R"(k = "a # not a comment" x
e = "q\"\\\n\t"
u = "\d"
)");
  EXPECT_EQ(root.find_setting("k")->value, "a # not a comment x");
  EXPECT_EQ(root.find_setting("e")->value, "q\"\\\n\t");
  EXPECT_EQ(root.find_setting("u")->value, "\\d");
}

TEST(Settings, QuotedValueSpansLinesAndKeepsLineCount) {
  Section root = parse_ok("k = \"one\ntwo\"\nj = \"a\\\nb\"\nafter = 1\n");
  EXPECT_EQ(root.find_setting("k")->value, "one\ntwo");
  EXPECT_EQ(root.find_setting("j")->value, "ab");
  EXPECT_EQ(root.find_setting("after")->loc.line, 5);
}

TEST(Settings, OneLineSectionAndBraceOnNextLine) {
  Section root = parse_ok("a { k = v }\nb\n{\n x = y }\n");
  EXPECT_EQ(root.find_section("a")->find_setting("k")->value, "v");
  EXPECT_EQ(root.find_section("b")->find_setting("x")->value, "y");
}

TEST(Settings, SameNamedSectionsMergeAndLaterKeyWinsWithWarning) {
  Section root;
  auto d = syntax_errors("a {\n k = 1\n}\na {\n k = 2\n j = 3\n}\n", &root);
  EXPECT_THAT(d, ElementsAre("t.conf:5: warning: 'k' overrides the value set at t.conf:2"));
  ASSERT_EQ(root.sections.size(), 1u);
  EXPECT_EQ(root.sections[0].find_setting("k")->value, "2");
  EXPECT_EQ(root.sections[0].find_setting("j")->value, "3");
}

TEST(Settings, KeyNamedIncludeIsAKey) {
  Section root = parse_ok("include = x\n");
  EXPECT_EQ(root.find_setting("include")->value, "x");
}

struct SyntaxCase {
  const char* text;
  const char* error;
};

class SyntaxErrors : public ::testing::TestWithParam<SyntaxCase> {};

TEST_P(SyntaxErrors, Reported) {
  EXPECT_THAT(syntax_errors(GetParam().text), ElementsAre(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    Settings, SyntaxErrors,
    ::testing::Values(
        SyntaxCase{"a {\n k = v\n", "t.conf:3: missing '}' for section 'a' opened at line 1"},
        SyntaxCase{"}\n", "t.conf:1: unexpected '}' without an open section"},
        SyntaxCase{"k = \"abc\n\n", "t.conf:1: unterminated quoted string"},
        SyntaxCase{"\n k v\n", "t.conf:2: unexpected 'v' after 'k', expected '=' or '{'"},
        SyntaxCase{"k\n", "t.conf:1: expected '=' or '{' after 'k'"},
        SyntaxCase{"= v\n", "t.conf:1: unexpected '=', expected a name"},
        SyntaxCase{"a : b {\n}\n", "t.conf:1: section references ('a : other') are not supported"},
        SyntaxCase{"k = a { b\n", "t.conf:1: unexpected '{' in a value (quote the value?)"},
        SyntaxCase{"k = v\x01\n", "t.conf:1: invalid byte 0x01 (binary data?)"},
        SyntaxCase{"a {\n\n k = \x7f\n}", "t.conf:3: invalid byte 0x7f (binary data?)"},
        SyntaxCase{"include x.conf\n", "t.conf:1: include is not allowed here"},
        SyntaxCase{"k, = v\n", "t.conf:1: unexpected ',' after 'k', expected '=' or '{'"}));

TEST(Settings, NamesLikeStrongSwansOwnFiles) {
  Section root = parse_ok("modules {\n  <name> {\n    path = /x\n  }\n}\n");
  EXPECT_NE(root.find_section("modules")->find_section("<name>"), nullptr);
}

TEST(Settings, NulByteIsRejected) {
  EXPECT_THAT(syntax_errors(std::string("k = a\0b\n", 8)),
              ElementsAre("t.conf:1: invalid byte 0x00 (binary data?)"));
}

TEST(Settings, DeepNestingIsAnErrorNotACrash) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "a{";
  EXPECT_THAT(syntax_errors(text), ElementsAre("t.conf:1: sections nested too deeply (more than 32 levels)"));
}

TEST(Settings, HugeValueIsAnError) {
  std::string text = "k = " + std::string(70000, 'x') + "\n";
  EXPECT_THAT(syntax_errors(text), ElementsAre("t.conf:1: value too long (more than 65536 bytes)"));
  std::string quoted = "k = \"" + std::string(70000, 'x') + "\"\n";
  EXPECT_THAT(syntax_errors(quoted), ElementsAre("t.conf:1: quoted string too long (more than 65536 bytes)"));
}

TEST(Settings, HugeNameIsAnError) {
  EXPECT_THAT(syntax_errors(std::string(300, 'k') + " = v\n"), ElementsAre("t.conf:1: name too long"));
}

TEST(Settings, TooManyEntries) {
  ParseOptions o;
  o.limits.max_entries = 3;
  Diagnostics d;
  Section root;
  EXPECT_FALSE(parse_settings_text("a=1\nb=2\nc=3\nd=4\n", "t.conf", o, root, d));
  EXPECT_THAT(strings(d.all()), ElementsAre("t.conf:4: too many sections and settings (more than 3)"));
}

const std::string kData = ANSWERD_CONFIG_TESTDATA;

TEST(Include, RelativeGlobSortedAndEmptyGlob) {
  Diagnostics d;
  Section root;
  ASSERT_TRUE(parse_settings_file(kData + "/include/main.conf", {}, root, d)) << strings(d.all())[0];
  EXPECT_THAT(strings(d.all()), IsEmpty());
  const Section* conns = root.find_section("connections");
  ASSERT_NE(conns, nullptr);
  ASSERT_EQ(conns->sections.size(), 2u);
  EXPECT_EQ(conns->sections[0].name, "a");
  EXPECT_EQ(conns->sections[1].name, "b");
  const Setting* id = conns->sections[0].find_section("local")->find_setting("id");
  EXPECT_EQ(id->value, "a.example");
  EXPECT_EQ(id->loc, (SourceLoc{kData + "/include/conf.d/10-a.conf", 3}));
  EXPECT_NE(root.find_section("secrets"), nullptr);
}

TEST(Include, LoopIsDetected) {
  Diagnostics d;
  Section root;
  EXPECT_FALSE(parse_settings_file(kData + "/loop/a.conf", {}, root, d));
  EXPECT_THAT(strings(d.all()),
              ElementsAre(kData + "/loop/b.conf:4: include loop: '" + kData + "/loop/a.conf' is already being read"));
}

TEST(Include, MissingFileWithoutWildcardIsAnError) {
  Diagnostics d;
  Section root;
  ParseOptions o;
  o.base_dir = kData;
  EXPECT_FALSE(parse_settings_text("include nope.conf\n", "t.conf", o, root, d));
  EXPECT_THAT(strings(d.all()), ElementsAre("t.conf:1: include file '" + kData + "/nope.conf' not found"));
}

TEST(Include, DepthLimit) {
  auto dir = std::filesystem::temp_directory_path() / ("answerd-config-depth-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (int i = 0; i < 15; ++i)
    std::ofstream(dir / ("f" + std::to_string(i) + ".conf")) << "include f" << i + 1 << ".conf\n";
  std::ofstream(dir / "f15.conf") << "k = v\n";
  Diagnostics d;
  Section root;
  EXPECT_FALSE(parse_settings_file(dir / "f0.conf", {}, root, d));
  EXPECT_THAT(strings(d.all()),
              ElementsAre((dir / "f10.conf").string() + ":1: includes nested too deeply (more than 10 levels)"));
  std::filesystem::remove_all(dir);
}

TEST(Include, UnreadableFile) {
  Diagnostics d;
  Section root;
  EXPECT_FALSE(parse_settings_file("/nonexistent/answerd.conf", {}, root, d));
  EXPECT_THAT(strings(d.all()), ElementsAre("/nonexistent/answerd.conf: cannot open '/nonexistent/answerd.conf'"));
}

}  // namespace
}  // namespace answerd::config::test
