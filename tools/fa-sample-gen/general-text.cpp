// general.txt: general-knowledge text about factory automation that names no product of the
// sample domain — the pre-training text of the demo's base model. Paragraphs are composed
// from hand-written sentences and slot templates, so the vocabulary of the manuals (units,
// parameters, error handling, wiring, safety) is familiar before the facts are learned.
#include <set>

#include "core/error.h"
#include "fa-sample.h"
#include "rng.h"
#include "text-template.h"

namespace gemba::tools {
namespace {

using Words = std::vector<Text>;

const Words kDevices = {
    {"PLC", "PLC"}, {"CPUユニット", "CPU unit"}, {"入力ユニット", "input unit"}, {"出力ユニット", "output unit"},
    {"アナログ入力ユニット", "analog input unit"}, {"アナログ出力ユニット", "analog output unit"}, {"サーボアンプ", "servo amplifier"},
    {"サーボモーター", "servo motor"}, {"インバーター", "inverter"}, {"誘導モーター", "induction motor"},
    {"タッチパネル表示器", "touch panel display"}, {"電源ユニット", "power supply unit"}, {"近接センサー", "proximity sensor"},
    {"光電センサー", "photoelectric sensor"}, {"ロータリーエンコーダー", "rotary encoder"}, {"安全リレー", "safety relay"},
    {"電磁開閉器", "magnetic contactor"}, {"配線用遮断器", "circuit breaker"}, {"ソレノイドバルブ", "solenoid valve"},
    {"温度調節器", "temperature controller"}, {"ベルトコンベア", "belt conveyor"}, {"産業用ロボット", "industrial robot"},
    {"制御盤", "control cabinet"}, {"通信ユニット", "communication unit"}, {"位置決めユニット", "positioning unit"},
};

const Words kPairs = {
    {"サーボアンプとサーボモーター", "a servo amplifier and a servo motor"}, {"インバーターとモーター", "an inverter and a motor"},
    {"PLCと入出力ユニット", "a PLC and its I/O units"}, {"電源ユニットとCPUユニット", "a power supply unit and a CPU unit"},
    {"表示器とPLC", "a display and a PLC"}, {"センサーと入力ユニット", "a sensor and an input unit"},
    {"出力ユニットとソレノイドバルブ", "an output unit and a solenoid valve"},
};

const Words kDocParts = {
    {"仕様表", "the specification table"}, {"パラメーター一覧", "the parameter list"}, {"エラーコード一覧", "the error code list"},
    {"配線図", "the wiring diagram"}, {"外形寸法図", "the dimension drawing"}, {"保守点検の手順", "the maintenance procedure"},
    {"安全上の注意", "the safety precautions"}, {"トラブルシューティング", "the troubleshooting section"}, {"操作手順", "the operating procedures"},
};

const Words kInspections = {
    {"外観に割れや変形がないか", "whether the housing is cracked or deformed"},
    {"端子ねじに緩みがないか", "whether any terminal screw is loose"},
    {"ケーブルに傷や折れがないか", "whether the cables are damaged or kinked"},
    {"ほこりや油が付着していないか", "whether dust or oil has collected"},
    {"異常な発熱がないか", "whether it is abnormally hot"},
    {"異音や異臭がないか", "whether there is unusual noise or smell"},
    {"冷却ファンが正常に回っているか", "whether the cooling fan turns normally"},
    {"表示ランプが正しく点灯しているか", "whether the indicator lamps light correctly"},
    {"コネクターが確実に差し込まれているか", "whether the connectors are fully inserted"},
    {"取付けねじが緩んでいないか", "whether the mounting screws are tight"},
};

const Words kIntervals = {
    {"毎日の始業前", "before each shift"}, {"毎週", "every week"}, {"1か月ごと", "every month"},
    {"3か月ごと", "every three months"}, {"半年ごと", "every six months"}, {"1年ごと", "every year"},
};

const Words kProblems = {
    {"装置が起動しない", "the machine does not start"}, {"モーターが回らない", "the motor does not turn"},
    {"通信が途切れる", "communication drops out"}, {"表示が消えた", "the display has gone dark"},
    {"エラーコードが表示された", "an error code is displayed"}, {"動作が不安定になる", "operation becomes unstable"},
    {"センサーが反応しない", "a sensor does not respond"}, {"出力がONにならない", "an output does not turn on"},
    {"異常な振動が出る", "abnormal vibration appears"}, {"ブレーカーが落ちる", "the breaker trips"},
};

const Words kChecks = {
    {"電源電圧", "the supply voltage"}, {"配線の接続", "the wiring connections"}, {"エラーコードの内容", "the meaning of the error code"},
    {"パラメーターの設定", "the parameter settings"}, {"通信ケーブル", "the communication cable"}, {"周囲温度", "the ambient temperature"},
    {"非常停止回路の状態", "the state of the emergency stop circuit"}, {"ヒューズ", "the fuse"}, {"接地の状態", "the grounding"},
    {"最近変更した設定", "recently changed settings"},
};

// Each protocol with statements that are true of it.
struct ProtocolFacts {
  Text name;
  Words facts;
};
const std::vector<ProtocolFacts> kProtocols = {
    {{"Ethernet", "Ethernet"},
     {{"は、工場のネットワークで広く使われる通信規格である", "is the network standard most widely used in factories"},
      {"では、IPアドレスを機器ごとに重複しないように設定する", "needs a unique IP address for every device"},
      {"のケーブルは、ハブやスイッチを介して機器をつなぐ", "cables connect devices through hubs or switches"}}},
    {{"RS-232C", "RS-232C"},
     {{"は、1対1で接続するシリアル通信で、配線距離が短い用途に向く", "is a one-to-one serial link suited to short cable runs"},
      {"では、通信速度やデータ長を両側で合わせる必要がある", "needs the same baud rate and data length on both sides"}}},
    {{"RS-485", "RS-485"},
     {{"は、複数の機器を一本の線でつなぐマルチドロップ接続ができる", "allows several devices on one multidrop line"},
      {"は差動信号を使うため、ノイズに強く長い距離を配線できる", "uses differential signals, so it resists noise over long distances"},
      {"の配線の両端には、終端抵抗を入れることが多い", "lines are usually terminated with resistors at both ends"}}},
    {{"Modbus RTU", "Modbus RTU"},
     {{"は、マスターとスレーブが決まった手順でデータをやり取りするシリアル通信プロトコルである", "is a serial protocol in which a master and slaves exchange data in a fixed order"},
      {"では、スレーブごとに局番を設定する", "gives every slave its own station address"}}},
    {{"Modbus TCP", "Modbus TCP"},
     {{"は、ModbusのメッセージをEthernet上で送るプロトコルである", "carries Modbus messages over Ethernet"}}},
    {{"EtherCAT", "EtherCAT"},
     {{"は、高速で周期的なデータ交換に向いたフィールドネットワークで、サーボの同期制御によく使われる", "is a fieldbus for fast cyclic data exchange, often used to synchronize servo axes"}}},
    {{"EtherNet/IP", "EtherNet/IP"},
     {{"は、標準的なEthernetの上で動く産業用ネットワークである", "is an industrial network that runs on standard Ethernet"}}},
    {{"CANopen", "CANopen"},
     {{"は、CANバスの上で動く通信プロトコルで、機器の設定をオブジェクト辞書で扱う", "is a protocol on the CAN bus that handles device settings through an object dictionary"}}},
    {{"USB", "USB"},
     {{"は、パソコンとの接続や設定ツールの接続によく使われる", "is often used to connect a PC or a configuration tool"}}},
};

const Words kQuantities = {
    {"電圧", "voltage"}, {"電流", "current"}, {"周波数", "frequency"}, {"トルク", "torque"}, {"回転速度", "rotational speed"},
    {"出力", "output power"}, {"温度", "temperature"}, {"時間", "time"}, {"分解能", "resolution"}, {"容量", "capacity"},
};

// Quantities that have a rating which can be exceeded.
const Words kLoads = {{"電圧", "voltage"}, {"電流", "current"}, {"温度", "temperature"}, {"トルク", "torque"}, {"回転速度", "speed"}, {"負荷", "load"}};

const Words kUnits = {
    {"V（ボルト）", "V (volts)"}, {"A（アンペア）", "A (amperes)"}, {"Hz（ヘルツ）", "Hz (hertz)"}, {"N·m（ニュートンメートル）", "N·m (newton metres)"},
    {"r/min（毎分回転数）", "r/min (revolutions per minute)"}, {"W（ワット）またはkW（キロワット）", "W (watts) or kW (kilowatts)"},
    {"℃（度）", "°C (degrees Celsius)"}, {"msやs（ミリ秒や秒）", "ms or s (milliseconds or seconds)"}, {"ビットやパルス", "bits or pulses"},
    {"ステップやワード", "steps or words"},
};

const Words kParamKinds = {
    {"加速時間", "acceleration time"}, {"減速時間", "deceleration time"}, {"速度ループゲイン", "speed loop gain"},
    {"位置ループゲイン", "position loop gain"}, {"トルク制限値", "torque limit"}, {"キャリア周波数", "carrier frequency"},
    {"ウォッチドッグタイマー時間", "watchdog timer time"}, {"通信速度", "baud rate"}, {"局番", "station number"},
    {"入力フィルター時間", "input filter time"}, {"バックライト消灯時間", "backlight off delay"}, {"画面輝度", "screen brightness"},
    {"電子サーマル設定", "electronic thermal setting"}, {"上限周波数", "upper frequency limit"}, {"リフレッシュ周期", "refresh cycle"},
};

const Words kParamEffects = {
    {"大きくしすぎると動作が不安定になることがある", "may make operation unstable if set too high"},
    {"小さくしすぎるとエラーが出やすくなる", "may cause errors more often if set too low"},
    {"変更した後は試運転で動作を確認する", "should be verified by a test run after any change"},
    {"取扱説明書のパラメーター一覧で初期値と設定範囲を確認できる", "has its default and setting range listed in the manual's parameter list"},
    {"機種によって初期値が異なる", "has a default that differs from model to model"},
    {"設定範囲の外の値は書き込めない", "cannot be written with a value outside its setting range"},
};

// Self-contained explanatory sentences, grouped by topic.
const std::vector<std::vector<Text>> kTopics = {
    {  // PLC
        {"PLCはプログラマブルロジックコントローラーの略で、工場の機械を順番どおりに動かすための制御装置である。", "A PLC (programmable logic controller) is a control device that runs factory machines in the right sequence."},
        {"PLCは入力を読み取り、プログラムを実行し、出力を更新するという処理を繰り返す。", "A PLC repeatedly reads its inputs, executes the program and updates its outputs."},
        {"この一巡にかかる時間をスキャンタイムと呼ぶ。", "The time one such cycle takes is called the scan time."},
        {"ラダー図はリレー回路に似た表記で、現場の保全担当者にも読みやすい。", "Ladder diagrams look like relay circuits and are easy for maintenance staff to read."},
        {"プログラム容量はステップ数で表されることが多い。", "Program capacity is often expressed as a number of steps."},
        {"ウォッチドッグタイマーは、プログラムが想定より長く止まったときに異常として検出する仕組みである。", "A watchdog timer detects an abnormal state when the program stalls for longer than expected."},
        {"CPUユニットにはRUNとSTOPの運転状態がある。", "A CPU unit has RUN and STOP operating states."},
        {"停電時にデータを保持するため、バッテリーやフラッシュメモリーが使われる。", "Batteries or flash memory keep data through a power failure."},
        {"増設ユニットを追加すると、扱える入出力点数を増やせる。", "Adding expansion units increases the number of I/O points that can be handled."},
        {"定周期割込みを使うと、一定の間隔で決まった処理を実行できる。", "A fixed-cycle interrupt runs a given routine at a constant interval."},
    },
    {  // I/O
        {"入力ユニットはスイッチやセンサーのON/OFF信号をPLCに取り込む。", "An input unit brings the on/off signals of switches and sensors into the PLC."},
        {"出力ユニットはランプ、リレー、バルブなどの負荷を動かす。", "An output unit drives loads such as lamps, relays and valves."},
        {"トランジスター出力は応答が速く、リレー出力は交流の負荷も扱える。", "Transistor outputs respond fast, while relay outputs can also switch AC loads."},
        {"アナログ入力ユニットは電圧や電流の信号をデジタル値に変換する。", "An analog input unit converts voltage or current signals into digital values."},
        {"4〜20mAの電流信号は、配線が長くてもノイズの影響を受けにくい。", "A 4-20 mA current signal is robust against noise even on long cables."},
        {"入力の応答時間はフィルターの設定で変わる。", "The response time of an input depends on its filter setting."},
        {"シンクとソースの区別は、電流がどちらの向きに流れるかで決まる。", "Sink and source differ in the direction in which current flows."},
        {"フォトカプラー絶縁により、外部回路のノイズが内部に伝わりにくくなる。", "Photocoupler isolation keeps noise from external circuits away from the internal circuits."},
        {"出力の短絡を防ぐため、負荷には適切なヒューズを入れる。", "Loads are protected with suitable fuses to guard against output short circuits."},
        {"断線検出機能があれば、信号線の切れを早く見つけられる。", "A wire-break detection function finds broken signal lines early."},
    },
    {  // servo
        {"サーボモーターは指令どおりの位置や速度に正確に追従するモーターである。", "A servo motor follows the commanded position and speed precisely."},
        {"サーボアンプはエンコーダーの信号を見ながらモーターの電流を制御する。", "A servo amplifier controls the motor current while watching the encoder signal."},
        {"エンコーダーの分解能が高いほど、細かい位置決めができる。", "The higher the encoder resolution, the finer the positioning."},
        {"ゲインを上げると応答は速くなるが、上げすぎると振動が起きる。", "Raising the gain speeds up the response, but too much gain causes vibration."},
        {"オートチューニングを使うと、負荷に合わせたゲインを自動で設定できる。", "Auto-tuning sets gains that suit the load automatically."},
        {"減速時にモーターが発電したエネルギーは回生エネルギーと呼ばれる。", "The energy a motor generates while decelerating is called regenerative energy."},
        {"回生エネルギーが大きいときは回生抵抗で熱として消費する。", "Large regenerative energy is dissipated as heat in a regenerative resistor."},
        {"位置偏差とは、指令位置と実際の位置の差である。", "Position deviation is the difference between the commanded and the actual position."},
        {"サーボアンプとモーターは、組み合わせが決められていることが多い。", "Servo amplifiers and motors usually come in fixed combinations."},
        {"定格トルクは、モーターが連続して出せるトルクの目安である。", "The rated torque is the torque a motor can deliver continuously."},
    },
    {  // inverter
        {"インバーターは出力周波数を変えて誘導モーターの回転速度を調整する。", "An inverter adjusts the speed of an induction motor by changing the output frequency."},
        {"ファンやポンプにインバーターを使うと、省エネルギーの効果が大きい。", "Using inverters on fans and pumps saves a lot of energy."},
        {"加速時間を短くしすぎると、過電流で停止することがある。", "An acceleration time that is too short can cause an overcurrent trip."},
        {"減速時間を短くしすぎると、過電圧で停止することがある。", "A deceleration time that is too short can cause an overvoltage trip."},
        {"キャリア周波数を高くするとモーター音は静かになるが、発熱は増える。", "A higher carrier frequency makes the motor quieter but increases heat."},
        {"電子サーマルは、モーターの過熱を電流から推定して保護する機能である。", "Electronic thermal protection estimates motor heating from the current."},
        {"適用モーター容量は、組み合わせられるモーターの大きさの目安である。", "The applicable motor capacity indicates the size of motor that can be combined."},
        {"瞬時停電のあと自動で再始動する機能を使うときは、安全に十分注意する。", "Take great care with safety when using automatic restart after a momentary power failure."},
        {"インバーターの出力側に進相コンデンサーを入れてはならない。", "Never connect a power factor capacitor to the output side of an inverter."},
        {"運転指令と周波数指令は、操作パネルや外部端子、通信から与えられる。", "Run and frequency commands can come from the panel, external terminals or communication."},
    },
    {  // HMI
        {"タッチパネル表示器は、装置の状態を作業者に分かりやすく表示する。", "A touch panel display shows the machine state clearly to operators."},
        {"画面データは作画ソフトで作成し、表示器に転送する。", "Screen data is created with design software and transferred to the display."},
        {"解像度が高いほど、多くの情報を一画面に表示できる。", "A higher resolution shows more information on one screen."},
        {"バックライトには寿命があり、暗くなったら交換を検討する。", "Backlights wear out; consider replacement when the screen gets dim."},
        {"表示器とPLCは、通信で機器のデータを読み書きする。", "The display and the PLC read and write device data over communication."},
        {"前面の保護構造が高いと、水や粉じんのかかる場所でも使いやすい。", "A high front protection rating suits places with water or dust."},
        {"アラーム履歴を表示すると、異常の発生時刻を確認できる。", "The alarm history shows when faults occurred."},
        {"タッチ位置がずれたときは、補正を実行する。", "When touches land in the wrong place, run a calibration."},
        {"ユーザーメモリが大きいほど、多くの画面や画像を保存できる。", "More user memory stores more screens and images."},
        {"画面の輝度を下げると、バックライトの寿命が延びる。", "Lowering the screen brightness extends the backlight life."},
    },
    {  // safety
        {"保守作業の前には、必ず電源を切り、ロックアウトとタグアウトを行う。", "Before maintenance, always switch off the power and apply lockout and tagout."},
        {"インバーターやサーボアンプは、電源を切った後もしばらく内部に電圧が残る。", "Inverters and servo amplifiers keep a voltage inside for a while after power-off."},
        {"非常停止ボタンは、誰でもすぐに押せる場所に設置する。", "Emergency stop buttons are placed where anyone can reach them at once."},
        {"安全柵の扉が開いたら、機械が停止するように回路を組む。", "Circuits are designed so that the machine stops when a safety fence door opens."},
        {"接地を確実に行うと、感電とノイズの両方を防げる。", "Proper grounding protects against both electric shock and noise."},
        {"濡れた手で端子に触れてはならない。", "Never touch terminals with wet hands."},
        {"取扱説明書の警告と注意をよく読んでから作業する。", "Read the warnings and cautions in the manual before working."},
        {"異常が起きたときは、原因を取り除いてからリセットする。", "When a fault occurs, remove its cause before resetting."},
        {"動力線と信号線は分けて配線し、ノイズを減らす。", "Power and signal cables are routed separately to reduce noise."},
        {"作業の記録を残しておくと、次の保守が楽になる。", "Keeping a record of the work makes the next maintenance easier."},
    },
    {  // maintenance and documents
        {"取扱説明書には、仕様、パラメーター一覧、エラーコード一覧、操作手順などが書かれている。", "A manual contains specifications, a parameter list, an error code list and operating procedures."},
        {"仕様表を見れば、定格電圧や定格電流などの基本的な値が分かる。", "The specification table gives basic values such as the rated voltage and current."},
        {"パラメーターには番号、名称、設定範囲、初期値がある。", "Each parameter has a number, a name, a setting range and a default value."},
        {"エラーコードには、意味、原因、対処方法が対応している。", "Each error code has a meaning, a cause and a remedy."},
        {"同じエラーコードでも、機種が違えば意味が違うことがある。", "The same error code may mean different things on different models."},
        {"工場出荷時設定への初期化を行うと、変更したパラメーターはすべて初期値に戻る。", "A factory reset returns every changed parameter to its default."},
        {"初期化の前には、現在の設定を控えておく。", "Write down the current settings before a factory reset."},
        {"部品を交換したら、試運転で正しく動くことを確かめる。", "After replacing a part, confirm correct operation with a test run."},
        {"予備品を準備しておくと、故障したときの停止時間を短くできる。", "Keeping spare parts shortens downtime after a failure."},
        {"よくある質問をまとめておくと、現場の問い合わせに早く答えられる。", "A collection of frequently asked questions answers shop-floor questions quickly."},
    },
};

// Slot templates; each draws from the word lists above.
struct SlotTemplate {
  std::string ja, en;
};
const std::vector<SlotTemplate> kTemplates = {
    {"{device}は、{interval}に{inspection}を点検するとよい。", "Check the {device} {interval} for {inspection}."},
    {"{device}の点検では、{inspection}を確認する。", "When inspecting a {device}, check {inspection}."},
    {"{problem}ときは、まず{check}を確認する。", "If {problem}, check {check} first."},
    {"{problem}場合、{check}に問題がないかを調べる。", "When {problem}, look for a problem with {check}."},
    {"{protocol}{protocol_fact}。", "{protocol} {protocol_fact}."},
    {"{quantity}の単位には{unit}がよく使われる。", "{quantity} is commonly given in {unit}."},
    {"{param}は、{param_effect}。", "The {param} {param_effect}."},
    {"{device}を交換するときは、電源を切ってから{check}を確かめる。", "When replacing a {device}, switch off the power and then verify {check}."},
    {"{device}の仕様表では、{quantity}の値を確認できる。", "The specification table of a {device} lists its {quantity}."},
    {"{pair}を組み合わせる場合は、定格が合っているかを仕様表で確認する。", "When combining {pair}, check in the specification tables that their ratings match."},
    {"{device}で{problem}ときは、取扱説明書のトラブルシューティングを参照する。", "If {problem} with a {device}, see the troubleshooting section of its manual."},
    {"{param}を変更する前に、現在の値を記録しておく。", "Before changing the {param}, record the current value."},
    {"{param}を調整したら、{device}の動作を確認する。", "After adjusting the {param}, check how the {device} behaves."},
    {"{device}の取扱説明書には、{doc_part}が記載されている。", "The manual of a {device} contains {doc_part}."},
    {"{load}が定格を超える状態が続くと、{device}の故障の原因になる。", "If the {load} stays above the rating, the {device} may fail."},
    {"{interval}に{inspection}を確かめておくと、{problem}といった事態を防ぎやすい。", "Checking {inspection} {interval} helps prevent cases where {problem}."},
    {"{problem}原因として、{check}の異常が考えられる。", "A fault in {check} can be the reason {problem}."},
    {"{device}を導入するときは、{doc_part}を事前に読んでおく。", "Before installing a {device}, read {doc_part} first."},
    {"{param}の値は、{doc_part}とあわせて確認する。", "Check the {param} together with {doc_part}."},
};

std::string sentence(Rng& rng, const SlotTemplate& t, bool ja) {
  auto w = [&](const Words& list) -> const std::string& {
    const Text& x = rng.pick(list);
    return ja ? x.ja : x.en;
  };
  std::map<std::string, std::string> vars;
  vars["device"] = w(kDevices);
  vars["pair"] = w(kPairs);
  vars["interval"] = w(kIntervals);
  vars["inspection"] = w(kInspections);
  vars["problem"] = w(kProblems);
  vars["check"] = w(kChecks);
  const ProtocolFacts& pr = rng.pick(kProtocols);
  vars["protocol"] = ja ? pr.name.ja : pr.name.en;
  vars["protocol_fact"] = w(pr.facts);
  size_t q = rng.below(kQuantities.size());
  vars["quantity"] = ja ? kQuantities[q].ja : kQuantities[q].en;
  vars["unit"] = ja ? kUnits[q].ja : kUnits[q].en;
  vars["param"] = w(kParamKinds);
  vars["param_effect"] = w(kParamEffects);
  vars["doc_part"] = w(kDocParts);
  vars["load"] = w(kLoads);
  return cap(fill(ja ? t.ja : t.en, vars));
}

// Target sizes (bytes) of the Japanese and the English part.
constexpr size_t kJaBytes = 520 * 1024;
constexpr size_t kEnBytes = 180 * 1024;

std::string compose(Rng& rng, bool ja, size_t target) {
  std::string out;
  std::set<std::string> seen;
  size_t misses = 0;
  while (out.size() < target) {
    const auto& topic = kTopics[rng.below(kTopics.size())];
    std::string paragraph;
    size_t sentences = 4 + rng.below(4);
    std::set<size_t> used;  // no topic sentence twice in one paragraph
    for (size_t k = 0; k < sentences; ++k) {
      std::string s;
      if (rng.below(5) == 0) {
        size_t pick = rng.below(topic.size());
        if (!used.insert(pick).second) continue;
        s = ja ? topic[pick].ja : topic[pick].en;
      } else {
        s = sentence(rng, rng.pick(kTemplates), ja);
        if (!seen.insert(s).second && ++misses < 100000) continue;  // prefer new combinations
      }
      if (!paragraph.empty() && !ja) paragraph += " ";
      paragraph += s;
    }
    out += paragraph + "\n\n";
  }
  return out;
}

}  // namespace

std::string write_general_text(const KnowledgeBase& kb) {
  Rng rng(kb.seed ^ 0x67656e6572616cull);  // "general"
  std::string text = compose(rng, true, kJaBytes) + compose(rng, false, kEnBytes);
  for (const std::string& name : kb.names())
    GEMBA_ASSERT(text.find(name) == std::string::npos, "general text names a product: ", name);
  return text;
}

}  // namespace gemba::tools
