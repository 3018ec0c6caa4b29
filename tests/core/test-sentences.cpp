// core: sentence segmentation of English and Japanese manual text.
#include <gtest/gtest.h>

#include "core/sentences.h"

using gemba::split_sentences;
using V = std::vector<std::string>;

TEST(Sentences, EnglishBoundariesAndWhatDoesNotEndOne) {
  EXPECT_EQ(split_sentences("Set it to 0.25 mm. Then restart."), (V{"Set it to 0.25 mm.", "Then restart."}));
  EXPECT_EQ(split_sentences("Use a fan, e.g. the 4010 model. It works."), (V{"Use a fan, e.g. the 4010 model.", "It works."}));
  EXPECT_EQ(split_sentences("See Fig. 3 and No. 5 for details."), (V{"See Fig. 3 and No. 5 for details."}));
  EXPECT_EQ(split_sentences("Is it supported? No. Use the adapter."), (V{"Is it supported?", "No.", "Use the adapter."}));
  EXPECT_EQ(split_sentences("The pin motion.spindle-speed-out is a float. Version v1.2.3 added it."),
            (V{"The pin motion.spindle-speed-out is a float.", "Version v1.2.3 added it."}));
  EXPECT_EQ(split_sentences("Heaters, fans, etc. The next part."), (V{"Heaters, fans, etc.", "The next part."}));
  EXPECT_EQ(split_sentences("Fans, heaters, etc. are listed."), (V{"Fans, heaters, etc. are listed."}));
  EXPECT_EQ(split_sentences("Written by J. Smith. He said \"stop.\" Then it stopped!"),
            (V{"Written by J. Smith.", "He said \"stop.\"", "Then it stopped!"}));
  EXPECT_EQ(split_sentences("Run it (see below.) Next"), (V{"Run it (see below.)", "Next"}));
  EXPECT_EQ(split_sentences("max. 20 A is the limit. Approx. 5 s later."), (V{"max. 20 A is the limit.", "Approx. 5 s later."}));
  EXPECT_EQ(split_sentences("The output is 200 W. The input is 230 V."), (V{"The output is 200 W.", "The input is 230 V."}));
  EXPECT_EQ(split_sentences("no end mark"), (V{"no end mark"}));
  EXPECT_EQ(split_sentences("  "), V{});
}

TEST(Sentences, Japanese) {
  EXPECT_EQ(split_sentences("電源を切ります。「確認」してください。次へ"), (V{"電源を切ります。", "「確認」してください。", "次へ"}));
  EXPECT_EQ(split_sentences("値は0.5です。Pr.0.01を設定します！"), (V{"値は0.5です。", "Pr.0.01を設定します！"}));
  EXPECT_EQ(split_sentences("「止めますか？」と表示されます。"), (V{"「止めますか？」と表示されます。"}));
  EXPECT_EQ(split_sentences("Set it. 次に再起動します。"), (V{"Set it.", "次に再起動します。"}));
}
