// The hand-written catalog of the fictional product line. Every name here is invented
// (brand, series, models, motors); the values are plausible for their kind of product but
// describe no real device.
#include "fa-sample.h"

namespace gemba::tools {

const char* const kBrandJa = "ゼファーネ・オートメーション";
const char* const kBrandEn = "Zephane Automation";

namespace {

Text T(const std::string& ja, const std::string& en) { return {ja, en}; }

// "10〜2000 ms" / "10 to 2000 ms"
Text range(const std::string& lo, const std::string& hi, const std::string& unit) {
  std::string u = unit.empty() ? "" : " " + unit;
  return {lo + "〜" + hi + u, lo + " to " + hi + u};
}

std::vector<Text> all(std::initializer_list<const char*> values) {
  std::vector<Text> out;
  for (const char* v : values) out.push_back(both(v));
  return out;
}

FamilyDef plc_cpu() {
  FamilyDef f;
  f.key = "plc-cpu";
  f.name = T("PLC CPUユニット", "PLC CPU unit");
  f.series = "ZCP";
  f.purpose = T("ラダープログラムを実行し、I/Oユニットや通信機器を制御する中心のユニット",
                "the central unit that executes the ladder program and controls the I/O units and communication devices");
  f.models = {"ZCP-110", "ZCP-140", "ZCP-260", "ZCP-380", "ZCP-520", "ZCP-750"};
  f.specs = {
      {"program-capacity", T("プログラム容量", "program capacity"),
       {T("8kステップ", "8k steps"), T("16kステップ", "16k steps"), T("32kステップ", "32k steps"),
        T("64kステップ", "64k steps"), T("128kステップ", "128k steps"), T("256kステップ", "256k steps")},
       true},
      {"max-io-points", T("最大入出力点数", "maximum number of I/O points"),
       {T("256点", "256 points"), T("512点", "512 points"), T("1024点", "1024 points"),
        T("2048点", "2048 points"), T("4096点", "4096 points"), T("8192点", "8192 points")},
       true},
      {"instruction-time", T("基本命令処理時間", "basic instruction execution time"),
       all({"60 ns", "35 ns", "20 ns", "9.5 ns", "4.2 ns", "1.8 ns"}), true},
      {"comm-ports", T("内蔵通信ポート", "built-in port configuration"),
       {T("RS-232C×1、USB×1", "RS-232C x1, USB x1"), T("RS-485×1、USB×1", "RS-485 x1, USB x1"),
        T("Ethernet×1、RS-232C×1", "Ethernet x1, RS-232C x1"), T("Ethernet×1、RS-485×1", "Ethernet x1, RS-485 x1"),
        T("Ethernet×2、USB×1", "Ethernet x2, USB x1"), T("Ethernet×2、RS-485×1", "Ethernet x2, RS-485 x1")},
       true},
      {"current", T("内部消費電流（DC5V）", "internal current consumption (5 V DC)"),
       all({"0.41 A", "0.28 A", "0.52 A", "0.35 A", "0.78 A", "0.64 A"}), true},
      {"temperature", T("使用周囲温度", "operating ambient temperature"), {T("0〜55℃", "0 to 55 °C")}, false},
      {"clock", T("時計機能", "real-time clock"), {T("あり（月差±30秒）", "yes (±30 s per month)")}, false},
  };
  f.params = {
      {"P0-01", T("ウォッチドッグタイマー時間", "watchdog timer time"),
       T("スキャンタイムがこの時間を超えるとCPUユニットはエラーで停止します。", "When a scan takes longer than this time, the CPU unit stops with an error."),
       {range("10", "2000", "ms")}, all({"200 ms", "100 ms", "150 ms", "250 ms", "300 ms", "500 ms"}), true, false},
      {"P0-02", T("定周期割込み間隔", "fixed-cycle interrupt interval"),
       T("定周期割込みプログラムを実行する間隔です。", "The interval at which the fixed-cycle interrupt program runs."),
       {range("1", "1000", "ms")}, all({"10 ms", "20 ms", "5 ms", "25 ms", "50 ms", "40 ms"}), true, false},
      {"P0-03", T("ファイルレジスターのブロック数", "number of file register blocks"),
       T("ファイルレジスターとして確保するブロック数です。", "The number of blocks reserved as file registers."),
       {range("0", "4", ""), range("0", "8", ""), range("0", "16", ""), range("0", "32", ""), range("0", "64", ""), range("0", "128", "")},
       {both("0")}, false, true},
      {"P0-04", T("RUN/STOP入力端子", "RUN/STOP input terminal"),
       T("外部入力でRUN/STOPを切り替える場合に使う入力番号です。", "The input number used to switch RUN/STOP from an external signal."),
       {range("0", "15", "")}, {T("0（未使用）", "0 (not used)")}, false, false},
      {"P0-06", T("COM1通信速度", "COM1 baud rate"),
       T("内蔵シリアルポートの通信速度です。", "The baud rate of the built-in serial port."),
       {both("9600/19200/38400/115200 bps")}, {both("19200 bps")}, false, false},
      {"P0-08", T("エラー発生時の動作", "operation on error"),
       T("演算エラーが発生したときにCPUユニットを停止するか継続するかを選びます。", "Selects whether the CPU unit stops or continues when an operation error occurs."),
       {T("0：停止、1：継続", "0: stop, 1: continue")}, {T("0（停止）", "0 (stop)")}, false, false},
  };
  f.error_prefix = "E-";
  f.error_min = 10;
  f.error_max = 89;
  f.errors = {
      {T("ウォッチドッグタイマーエラー", "watchdog timer error"),
       T("スキャンタイムがウォッチドッグタイマーの設定時間を超えた", "the scan time exceeded the watchdog timer setting"),
       T("プログラムのスキャンタイムを短縮するか、P0-01の設定値を大きくする", "shorten the program scan time or increase the P0-01 setting")},
      {T("プログラムメモリ異常", "program memory error"),
       T("プログラムメモリのデータが破損した", "the data in the program memory is corrupted"),
       T("プログラムを再転送してから電源を再投入する", "transfer the program again and then cycle the power")},
      {T("バッテリー電圧低下", "low battery voltage"),
       T("停電保持用バッテリーの電圧が低下した", "the voltage of the memory backup battery dropped"),
       T("指定のバッテリーに交換する", "replace the battery with the specified type")},
      {T("増設ユニット接続異常", "expansion unit connection error"),
       T("増設ケーブルが外れているか、増設ユニットが故障している", "an expansion cable is loose or an expansion unit has failed"),
       T("電源を切り、増設ケーブルを確実に接続し直す", "turn off the power and reconnect the expansion cable firmly")},
      {T("演算エラー", "operation error"),
       T("ゼロ除算や範囲外のインデックス指定が実行された", "a division by zero or an out-of-range index was executed"),
       T("エラー発生ステップを確認し、プログラムを修正する", "check the step where the error occurred and correct the program")},
      {T("パラメーター設定異常", "parameter setting error"),
       T("パラメーターの設定値が範囲外になっている", "a parameter value is out of range"),
       T("パラメーターを確認して再設定し、CPUユニットをリセットする", "check and set the parameters again, then reset the CPU unit")},
      {T("通信タイムアウト", "communication timeout"),
       T("相手機器から規定時間内に応答がない", "the partner device did not respond within the set time"),
       T("ケーブルと相手局の局番・通信速度の設定を確認する", "check the cable and the station number and baud rate of the partner station")},
      {T("電源瞬停検出", "momentary power failure detected"),
       T("供給電源が瞬間的に低下した", "the supply voltage dropped momentarily"),
       T("電源電圧と配線を確認し、必要に応じて無停電電源装置を使用する", "check the supply voltage and wiring and use an uninterruptible power supply if needed")},
      {T("I/O割付不一致", "I/O assignment mismatch"),
       T("実装されているユニットとI/O割付設定が一致しない", "the mounted units do not match the I/O assignment setting"),
       T("I/O割付設定を実装状態に合わせて修正する", "correct the I/O assignment to match the mounted units")},
  };
  f.symptoms = {
      {T("POWER LEDが点灯しない", "The POWER LED does not light"),
       T("電源ユニットの入力電圧と配線、ヒューズを確認してください。", "Check the input voltage, wiring and fuse of the power supply unit.")},
      {T("RUNモードに切り替わらない", "The unit does not switch to RUN mode"),
       T("RUN/STOPスイッチの位置と、P0-04の設定を確認してください。", "Check the position of the RUN/STOP switch and the P0-04 setting.")},
  };
  f.reset_keys = {T("[RESET]ボタン", "the [RESET] button"), T("[MODE]ボタン", "the [MODE] button"),
                  T("[MODE]ボタンと[SET]ボタン", "the [MODE] and [SET] buttons"), T("[SET]ボタン", "the [SET] button")};
  f.init_params = {"P0-90", "P0-95", "P0-99"};
  f.display = T("7セグメント表示部", "7-segment display");
  return f;
}

FamilyDef io_unit() {
  FamilyDef f;
  f.key = "io-unit";
  f.name = T("I/Oユニット", "I/O unit");
  f.series = "ZIO";
  f.purpose = T("センサーやアクチュエーターの信号をPLC CPUユニットとやり取りするユニット",
                "the unit that exchanges sensor and actuator signals with the PLC CPU unit");
  f.models = {"ZIO-D21", "ZIO-D23", "ZIO-T31", "ZIO-R41", "ZIO-A51", "ZIO-A62"};
  f.specs = {
      {"unit-type", T("ユニット種別", "unit type"),
       {T("DC入力", "DC input"), T("高速DC入力", "high-speed DC input"), T("トランジスター出力（シンク）", "transistor output (sink)"),
        T("リレー出力", "relay output"), T("アナログ入力", "analog input"), T("アナログ出力", "analog output")},
       true},
      {"points", T("入出力点数", "number of I/O points"),
       {T("16点", "16 points"), T("32点", "32 points"), T("64点", "64 points"), T("8点", "8 points"),
        T("4チャンネル", "4 channels"), T("8チャンネル", "8 channels")},
       true},
      {"signal-range", T("定格電圧・信号範囲", "rated voltage / signal range"),
       {both("DC24V"), both("DC12V/24V"), T("DC12〜24V", "DC12-24V"), both("AC240V/DC24V"), T("DC0〜10V/4〜20mA", "DC0-10V/4-20mA"), T("DC-10〜+10V", "DC-10 to +10V")},
       true},
      {"response-time", T("応答時間", "response time"), all({"10 ms", "0.2 ms", "0.5 ms", "12 ms", "0.8 ms/ch", "0.1 ms/ch"}), true},
      {"current", T("内部消費電流（DC5V）", "internal current consumption (5 V DC)"),
       all({"0.08 A", "0.12 A", "0.21 A", "0.43 A", "0.29 A", "0.36 A"}), true},
      {"connection", T("外部接続", "external connection"),
       {T("18点端子台", "18-point terminal block"), T("40ピンコネクター", "40-pin connector"), T("40ピンコネクター×2", "40-pin connector x2"),
        T("18点端子台", "18-point terminal block"), T("18点端子台", "18-point terminal block"), T("24点端子台", "24-point terminal block")},
       false},
      {"isolation", T("絶縁方式", "isolation"), {T("フォトカプラー絶縁", "photocoupler isolation")}, false},
  };
  f.params = {
      {"P1-01", T("リフレッシュ周期", "refresh cycle"),
       T("CPUユニットとの間で入出力データを更新する周期です。", "The cycle at which I/O data is exchanged with the CPU unit."),
       {range("0.5", "50", "ms")}, all({"1 ms", "2 ms", "0.5 ms", "5 ms", "10 ms", "20 ms"}), true, false},
      {"P1-02", T("異常検出遅延時間", "error detection delay"),
       T("異常状態がこの時間続いたときにエラーとして検出します。", "An abnormal state is reported as an error when it lasts this long."),
       {range("10", "1000", "ms")}, all({"50 ms", "100 ms", "30 ms", "200 ms", "80 ms", "150 ms"}), true, false},
      {"P1-03", T("ユニット監視タイマー", "unit watchdog timer"),
       T("CPUユニットからの更新が途絶えたと判断するまでの時間です。", "The time after which the unit decides that updates from the CPU unit have stopped."),
       {range("10", "500", "ms"), range("10", "1000", "ms"), range("20", "2000", "ms"), range("50", "5000", "ms"), range("5", "250", "ms"), range("10", "800", "ms")},
       {both("100 ms")}, false, true},
      {"P1-04", T("局番", "station number"), T("ユニットの局番です。", "The station number of the unit."),
       {range("1", "64", "")}, {both("1")}, false, false},
      {"P1-05", T("診断機能", "diagnostics"), T("断線・短絡などの診断を有効にします。", "Enables diagnostics such as wire-break and short-circuit detection."),
       {T("0：無効、1：有効", "0: disabled, 1: enabled")}, {T("1（有効）", "1 (enabled)")}, false, false},
      {"P1-06", T("LED表示モード", "LED display mode"), T("前面LEDに表示する内容を選びます。", "Selects what the front LEDs show."),
       {range("0", "2", "")}, {both("0")}, false, false},
  };
  f.error_prefix = "U-";
  f.error_min = 10;
  f.error_max = 79;
  f.errors = {
      {T("外部電源電圧低下", "external supply voltage low"), T("外部供給電源の電圧が規定値を下回った", "the external supply voltage fell below the rated value"),
       T("外部電源の電圧と配線を確認する", "check the voltage and wiring of the external power supply")},
      {T("ヒューズ断", "blown fuse"), T("出力回路のヒューズが溶断した", "the fuse of the output circuit has blown"),
       T("負荷の短絡を取り除いてからユニットを交換する", "remove the short circuit in the load and then replace the unit")},
      {T("出力短絡", "output short circuit"), T("出力端子に接続された負荷が短絡している", "a load connected to an output terminal is short-circuited"),
       T("負荷と配線を点検し、短絡箇所を修理する", "inspect the loads and wiring and repair the short circuit")},
      {T("断線検出", "wire break detected"), T("入力信号線が断線している", "an input signal line is broken"),
       T("信号線の接続と端子台のねじ締めを確認する", "check the signal line connections and the terminal block screws")},
      {T("入力範囲外", "input out of range"), T("入力信号が変換範囲を超えている", "the input signal exceeds the conversion range"),
       T("入力信号の大きさと入力レンジの設定を確認する", "check the input signal level and the input range setting")},
      {T("ユニット内部バス異常", "internal bus error"), T("ユニットとCPUユニット間のバス通信に異常が発生した", "bus communication between the unit and the CPU unit failed"),
       T("ユニットを確実に装着し直し、改善しなければユニットを交換する", "remount the unit firmly and replace it if the error persists")},
      {T("ユニット過熱", "unit overheat"), T("ユニット内部の温度が上限を超えた", "the temperature inside the unit exceeded the limit"),
       T("盤内の換気を改善し、周囲温度を下げる", "improve the ventilation of the cabinet and lower the ambient temperature")},
      {T("設定値異常", "setting error"), T("パラメーターに範囲外の値が書き込まれた", "an out-of-range value was written to a parameter"),
       T("パラメーターを正しい範囲の値に設定し直す", "set the parameter again to a value within its range")},
      {T("監視タイマー満了", "unit watchdog expired"), T("CPUユニットからの更新がP1-03の時間以上途絶えた", "updates from the CPU unit stopped for longer than the P1-03 time"),
       T("CPUユニットの運転状態とP1-03の設定を確認する", "check the operating state of the CPU unit and the P1-03 setting")},
  };
  f.symptoms = {
      {T("入力LEDが点灯しない", "An input LED does not light"),
       T("センサーの電源、コモン端子の配線、入力電圧を確認してください。", "Check the sensor power, the common terminal wiring and the input voltage.")},
      {T("出力が動作しない", "An output does not operate"),
       T("負荷用外部電源が供給されているか、出力のON条件が成立しているかを確認してください。", "Check that the external load supply is present and that the output ON condition is met.")},
  };
  f.reset_keys = {T("[RST]ボタン", "the [RST] button"), T("[SEL]ボタン", "the [SEL] button"),
                  T("[SEL]ボタンと[RST]ボタン", "the [SEL] and [RST] buttons")};
  f.init_params = {"P1-90", "P1-97", "P1-99"};
  f.display = T("前面LED表示部", "front LED display");
  return f;
}

FamilyDef servo() {
  FamilyDef f;
  f.key = "servo";
  f.name = T("サーボアンプ", "servo amplifier");
  f.series = "ZSV";
  f.purpose = T("適合するサーボモーターを位置・速度・トルク制御で駆動するアンプ",
                "the amplifier that drives its matching servo motor in position, speed or torque control");
  f.models = {"ZSV-A11", "ZSV-A12", "ZSV-A13", "ZSV-B21", "ZSV-B22", "ZSV-B23"};
  f.specs = {
      {"rated-output", T("定格出力", "rated output"), all({"100 W", "200 W", "400 W", "750 W", "1.5 kW", "3.0 kW"}), true},
      {"rated-current", T("定格出力電流", "rated output current"), all({"1.1 A", "1.6 A", "2.8 A", "5.5 A", "9.2 A", "11.8 A"}), true},
      {"motor", T("適合サーボモーター", "matching servo motor"), all({"ZSM-K31", "ZSM-K32", "ZSM-K33", "ZSM-L41", "ZSM-L42", "ZSM-L43"}), true},
      {"rated-torque", T("モーター定格トルク", "motor rated torque"), all({"0.32 N·m", "0.64 N·m", "1.27 N·m", "2.39 N·m", "7.16 N·m", "14.3 N·m"}), true},
      {"encoder", T("エンコーダー分解能", "encoder resolution"),
       {T("17ビット", "17 bits"), T("20ビット", "20 bits"), T("22ビット", "22 bits"), T("23ビット", "23 bits"), T("24ビット", "24 bits"), T("26ビット", "26 bits")},
       true},
      {"supply", T("主回路電源", "main circuit power supply"),
       {T("単相AC100〜120V", "single-phase AC100-120V"), T("単相AC200〜240V", "single-phase AC200-240V"),
        T("単相/三相AC200〜240V", "single/three-phase AC200-240V"), T("三相AC200〜240V", "three-phase AC200-240V"),
        T("三相AC200〜240V", "three-phase AC200-240V"), T("三相AC380〜480V", "three-phase AC380-480V")},
       false},
      {"control", T("制御モード", "control modes"), {T("位置・速度・トルク制御", "position, speed and torque control")}, false},
  };
  f.params = {
      {"Pn100", T("速度ループゲイン", "speed loop gain"),
       T("速度制御の応答性を決めるゲインです。大きくすると応答が速くなりますが、振動しやすくなります。",
         "The gain that sets the speed control response. A larger value responds faster but may vibrate."),
       {range("1.0", "2000.0", "Hz")}, all({"40.0 Hz", "35.0 Hz", "30.0 Hz", "27.0 Hz", "22.0 Hz", "18.0 Hz"}), true, false},
      {"Pn101", T("位置ループゲイン", "position loop gain"),
       T("位置制御の応答性を決めるゲインです。", "The gain that sets the position control response."),
       {range("1.0", "2000.0", "1/s")}, all({"36.0 1/s", "48.0 1/s", "25.0 1/s", "40.0 1/s", "20.0 1/s", "30.0 1/s"}), true, false},
      {"Pn203", T("トルク制限値", "torque limit"),
       T("モーターが出力するトルクの上限を定格トルクに対する割合で設定します。", "Sets the upper limit of the motor torque as a percentage of the rated torque."),
       {range("0", "250", "%"), range("0", "300", "%"), range("0", "350", "%"), range("0", "400", "%"), range("0", "320", "%"), range("0", "280", "%")},
       {both("200 %")}, false, true},
      {"Pn000", T("制御モード選択", "control mode selection"), T("位置・速度・トルクのいずれで制御するかを選びます。", "Selects position, speed or torque control."),
       {range("0", "5", "")}, {T("0（位置制御）", "0 (position control)")}, false, false},
      {"Pn006", T("回生抵抗選択", "regenerative resistor selection"), T("使用する回生抵抗を選びます。", "Selects the regenerative resistor in use."),
       {range("0", "2", "")}, {T("0（内蔵抵抗）", "0 (built-in resistor)")}, false, false},
      {"Pn010", T("オートチューニングモード", "auto-tuning mode"), T("オートチューニングの方式を選びます。", "Selects the auto-tuning method."),
       {range("0", "3", "")}, {both("1")}, false, false},
  };
  f.error_prefix = "AL.";
  f.error_min = 10;
  f.error_max = 99;
  f.errors = {
      {T("過電流", "overcurrent"), T("モーター動力線の短絡、またはアンプ内部の故障", "a short circuit in the motor power cable or a fault inside the amplifier"),
       T("モーター動力線の短絡・地絡を確認し、異常がなければアンプを交換する", "check the motor power cable for short or ground faults and replace the amplifier if none are found")},
      {T("主回路過電圧", "main circuit overvoltage"), T("減速時の回生エネルギーが大きすぎる", "the regenerative energy during deceleration is too large"),
       T("減速時間を長くするか、外付け回生抵抗を接続する", "lengthen the deceleration time or connect an external regenerative resistor")},
      {T("主回路不足電圧", "main circuit undervoltage"), T("主回路電源の電圧が低下した", "the main circuit supply voltage dropped"),
       T("電源電圧と電源容量を確認する", "check the supply voltage and the power supply capacity")},
      {T("エンコーダー通信異常", "encoder communication error"), T("エンコーダーケーブルの断線やノイズ", "a broken encoder cable or electrical noise"),
       T("エンコーダーケーブルの接続とシールド処理を確認する", "check the encoder cable connection and its shield grounding")},
      {T("過負荷", "overload"), T("定格を超えるトルクで長時間運転した", "the motor ran for a long time above its rated torque"),
       T("負荷条件と運転パターンを見直し、必要なら容量の大きい機種を選定する", "review the load and the motion profile and select a larger model if needed")},
      {T("位置偏差過大", "excessive position deviation"), T("指令に対してモーターの追従が大きく遅れた", "the motor lagged far behind the command"),
       T("機械の拘束がないか確認し、ゲインと加減速時間を調整する", "check that the machine is not jammed and adjust the gains and the acceleration time")},
      {T("過速度", "overspeed"), T("モーターの回転速度が許容値を超えた", "the motor speed exceeded the permitted value"),
       T("指令パルスの周波数と電子ギア比の設定を確認する", "check the command pulse frequency and the electronic gear ratio")},
      {T("回生異常", "regeneration error"), T("回生抵抗の容量不足または断線", "the regenerative resistor is too small or broken"),
       T("回生抵抗の配線とPn006の設定を確認する", "check the regenerative resistor wiring and the Pn006 setting")},
      {T("アンプ過熱", "amplifier overheat"), T("アンプの放熱フィン温度が上限を超えた", "the heat sink temperature of the amplifier exceeded its limit"),
       T("周囲温度と冷却ファンの動作を確認する", "check the ambient temperature and the operation of the cooling fan")},
      {T("EEPROM異常", "EEPROM error"), T("パラメーター記憶用メモリのデータが異常", "the data in the parameter memory is invalid"),
       T("パラメーターを初期化して再設定し、改善しなければアンプを交換する", "initialize and set the parameters again, and replace the amplifier if the error persists")},
  };
  f.symptoms = {
      {T("モーターが振動する", "The motor vibrates"),
       T("オートチューニングを実行し、速度ループゲインを下げて様子を確認してください。", "Run auto-tuning and lower the speed loop gain to see whether the vibration stops.")},
      {T("サーボオンしない", "The servo does not turn on"),
       T("サーボオン信号の配線とアラームの有無を確認してください。", "Check the servo-on signal wiring and whether an alarm is active.")},
  };
  f.reset_keys = {T("[ALM RST]キー", "the [ALM RST] key"), T("[MODE]キーと[SET]キー", "the [MODE] and [SET] keys"),
                  T("[▲]キーと[▼]キー", "the [UP] and [DOWN] keys"), T("[SET]キー", "the [SET] key")};
  f.init_params = {"Pn990", "Pn995", "Pn999"};
  f.display = T("前面表示部", "front panel display");
  return f;
}

FamilyDef inverter() {
  FamilyDef f;
  f.key = "inverter";
  f.name = T("インバーター", "inverter");
  f.series = "ZVF";
  f.purpose = T("三相誘導モーターの回転速度を周波数で可変制御する装置",
                "the drive that varies the speed of a three-phase induction motor through the output frequency");
  f.models = {"ZVF-C12", "ZVF-C15", "ZVF-C18", "ZVF-E22", "ZVF-E26", "ZVF-E29"};
  f.specs = {
      {"motor-capacity", T("適用モーター容量", "applicable motor capacity"), all({"0.4 kW", "0.75 kW", "1.5 kW", "3.7 kW", "7.5 kW", "15 kW"}), true},
      {"rated-current", T("定格出力電流", "rated output current"), all({"2.5 A", "4.2 A", "7.0 A", "8.8 A", "17 A", "32 A"}), true},
      {"max-frequency", T("最高出力周波数", "maximum output frequency"), all({"400 Hz", "590 Hz", "500 Hz", "600 Hz", "450 Hz", "320 Hz"}), true},
      {"carrier", T("キャリア周波数範囲", "carrier frequency range"),
       {range("0.75", "15", "kHz"), range("1", "16", "kHz"), range("2", "14", "kHz"), range("0.5", "10", "kHz"), range("1", "12", "kHz"), range("2", "8", "kHz")},
       true},
      {"comm", T("内蔵通信", "built-in communication"),
       {both("Modbus RTU"), T("RS-485（独自プロトコル）", "RS-485 (proprietary protocol)"), both("CANopen"), both("Modbus TCP"), both("BACnet MS/TP"), both("EtherNet/IP")},
       true},
      {"supply", T("電源", "power supply"),
       {T("単相AC200〜240V", "single-phase AC200-240V"), T("三相AC200〜240V", "three-phase AC200-240V"), T("三相AC200〜240V", "three-phase AC200-240V"),
        T("三相AC380〜480V", "three-phase AC380-480V"), T("三相AC380〜480V", "three-phase AC380-480V"), T("三相AC380〜480V", "three-phase AC380-480V")},
       false},
      {"overload", T("過負荷耐量", "overload capacity"), {T("定格出力電流の150% 60秒", "150% of the rated output current for 60 s")}, false},
  };
  f.params = {
      {"Pr.07", T("加速時間", "acceleration time"),
       T("停止状態から基底周波数まで加速する時間です。", "The time to accelerate from standstill to the base frequency."),
       {range("0.0", "3600.0", "s")}, all({"5.0 s", "3.0 s", "8.0 s", "10.0 s", "15.0 s", "20.0 s"}), true, false},
      {"Pr.10", T("キャリア周波数", "carrier frequency"),
       T("PWMのキャリア周波数です。高くするとモーター音は小さくなりますが、発熱が増えます。", "The PWM carrier frequency. A higher value makes the motor quieter but increases heat."),
       {range("0.75", "15", "kHz"), range("1", "16", "kHz"), range("2", "14", "kHz"), range("0.5", "10", "kHz"), range("1", "12", "kHz"), range("2", "8", "kHz")},
       all({"8 kHz", "10 kHz", "6 kHz", "4 kHz", "5 kHz", "2.5 kHz"}), true, false},
      {"Pr.57", T("瞬停再始動待ち時間", "restart wait time after momentary power failure"),
       T("瞬時停電から復電した後、再始動するまでの待ち時間です。", "The waiting time before restarting after power returns from a momentary failure."),
       {range("0.1", "5.0", "s"), range("0.2", "10.0", "s"), range("0.3", "20.0", "s"), range("0.5", "30.0", "s"), range("0.1", "15.0", "s"), range("0.5", "60.0", "s")},
       {both("1.0 s")}, false, true},
      {"Pr.01", T("運転指令選択", "run command source"), T("運転指令をどこから与えるかを選びます。", "Selects where the run command comes from."),
       {range("0", "2", "")}, {T("0（操作パネル）", "0 (operation panel)")}, false, false},
      {"Pr.02", T("周波数指令選択", "frequency command source"), T("周波数指令をどこから与えるかを選びます。", "Selects where the frequency command comes from."),
       {range("0", "4", "")}, {T("1（ボリューム）", "1 (potentiometer)")}, false, false},
      {"Pr.79", T("運転モード選択", "operation mode selection"), T("パネル運転と外部運転の切り替え方法を選びます。", "Selects how to switch between panel and external operation."),
       {range("0", "4", "")}, {both("0")}, false, false},
  };
  f.error_prefix = "Er";
  f.error_min = 10;
  f.error_max = 99;
  f.errors = {
      {T("加速中過電流", "overcurrent during acceleration"), T("加速時間が短すぎるか、負荷が急変した", "the acceleration time is too short or the load changed suddenly"),
       T("加速時間（Pr.07）を長くする", "lengthen the acceleration time (Pr.07)")},
      {T("減速中過電圧", "overvoltage during deceleration"), T("減速時間が短すぎて回生エネルギーが大きい", "the deceleration time is too short and the regenerative energy is large"),
       T("減速時間を長くするか、ブレーキ抵抗を接続する", "lengthen the deceleration time or connect a braking resistor")},
      {T("不足電圧", "undervoltage"), T("入力電源の電圧が低下した", "the input supply voltage dropped"),
       T("入力電源の電圧と容量を確認する", "check the voltage and capacity of the input supply")},
      {T("インバーター過熱", "inverter overheat"), T("冷却フィンの温度が上昇した", "the cooling fin temperature rose too high"),
       T("周囲温度を下げ、冷却フィンの汚れを清掃する", "lower the ambient temperature and clean the cooling fins")},
      {T("モーター過負荷（電子サーマル）", "motor overload (electronic thermal)"), T("モーターが定格を超える電流で運転された", "the motor ran above its rated current"),
       T("負荷を軽くするか、電子サーマルの設定値を確認する", "reduce the load or check the electronic thermal setting")},
      {T("出力欠相", "output phase loss"), T("出力側の配線が1相外れている", "one phase of the output wiring is disconnected"),
       T("モーター配線の接続を確認する", "check the motor wiring connections")},
      {T("地絡", "ground fault"), T("出力側の配線またはモーターが地絡している", "the output wiring or the motor has a ground fault"),
       T("モーターと配線の絶縁抵抗を測定する", "measure the insulation resistance of the motor and the wiring")},
      {T("通信異常", "communication error"), T("上位機器との通信が途絶えた", "communication with the host device was lost"),
       T("通信ケーブルと通信設定を確認する", "check the communication cable and the communication settings")},
      {T("冷却ファン故障", "cooling fan failure"), T("冷却ファンが停止している", "the cooling fan has stopped"),
       T("冷却ファンを交換する", "replace the cooling fan")},
      {T("外部異常入力", "external fault input"), T("外部異常入力端子がONになった", "the external fault input terminal turned on"),
       T("外部機器の異常を取り除いてから端子をOFFにする", "clear the fault in the external device and turn the terminal off")},
  };
  f.symptoms = {
      {T("モーターが回転しない", "The motor does not rotate"),
       T("運転指令と周波数指令が入力されているか、Pr.01とPr.02の設定を確認してください。", "Check that run and frequency commands are present and check the Pr.01 and Pr.02 settings.")},
      {T("モーターの音が大きい", "The motor is noisy"),
       T("キャリア周波数を高めに設定すると改善する場合があります。", "Raising the carrier frequency may help.")},
  };
  f.reset_keys = {T("[STOP/RESET]キー", "the [STOP/RESET] key"), T("[FUNC]キーと[STOP/RESET]キー", "the [FUNC] and [STOP/RESET] keys"),
                  T("[SET]キー", "the [SET] key")};
  f.init_params = {"Pr.990", "Pr.995", "Pr.999"};
  f.display = T("操作パネル", "operation panel");
  return f;
}

FamilyDef hmi() {
  FamilyDef f;
  f.key = "hmi";
  f.name = T("タッチパネル表示器", "touch panel HMI");
  f.series = "ZHP";
  f.purpose = T("装置の状態を表示し、作業者がタッチ操作で設定や運転を行うための表示器",
                "the display on which operators see the machine state and make settings by touch");
  f.models = {"ZHP-310", "ZHP-320", "ZHP-330", "ZHP-510", "ZHP-520", "ZHP-530"};
  f.specs = {
      {"screen-size", T("画面サイズ", "screen size"),
       {T("4.3インチ", "4.3 inches"), T("5.7インチ", "5.7 inches"), T("7インチ", "7 inches"), T("10.1インチ", "10.1 inches"),
        T("12.1インチ", "12.1 inches"), T("15インチ", "15 inches")},
       true},
      {"resolution", T("解像度", "resolution"),
       {T("480×272ドット", "480 x 272 dots"), T("320×240ドット", "320 x 240 dots"), T("800×480ドット", "800 x 480 dots"),
        T("1024×600ドット", "1024 x 600 dots"), T("1280×800ドット", "1280 x 800 dots"), T("1024×768ドット", "1024 x 768 dots")},
       true},
      {"user-memory", T("ユーザーメモリ", "user memory"), all({"8 MB", "16 MB", "32 MB", "64 MB", "128 MB", "256 MB"}), true},
      {"interfaces", T("通信インターフェース", "interface configuration"),
       {T("Ethernet×1、RS-232C×1", "Ethernet x1, RS-232C x1"), T("RS-422/485×1", "RS-422/485 x1"),
        T("Ethernet×1、RS-422/485×1", "Ethernet x1, RS-422/485 x1"), T("Ethernet×2、USB×1", "Ethernet x2, USB x1"),
        T("Ethernet×2、RS-232C×1、RS-422/485×1", "Ethernet x2, RS-232C x1, RS-422/485 x1"), T("Ethernet×1、USB×2", "Ethernet x1, USB x2")},
       true},
      {"backlight", T("バックライト寿命", "backlight life"),
       {T("30,000時間", "30,000 hours"), T("40,000時間", "40,000 hours"), T("50,000時間", "50,000 hours"), T("60,000時間", "60,000 hours"),
        T("70,000時間", "70,000 hours"), T("100,000時間", "100,000 hours")},
       true},
      {"supply", T("電源電圧", "supply voltage"), {both("DC24V")}, false},
      {"protection", T("保護構造", "protection"), {T("IP65（前面）", "IP65 (front)")}, false},
  };
  f.params = {
      {"S-05", T("バックライト消灯時間", "backlight off delay"),
       T("無操作の状態がこの時間続くとバックライトを消灯します。", "The backlight turns off after no operation for this time."),
       {range("0", "60", "分")}, {T("5分", "5 min"), T("10分", "10 min"), T("15分", "15 min"), T("3分", "3 min"), T("30分", "30 min"), T("20分", "20 min")},
       true, false},
      {"S-07", T("画面輝度", "screen brightness"), T("画面の明るさです。", "The brightness of the screen."),
       {range("10", "100", "%")}, all({"80 %", "70 %", "90 %", "60 %", "75 %", "85 %"}), true, false},
      {"S-03", T("通信タイムアウト時間", "communication timeout"),
       T("接続機器から応答がないと判断するまでの時間です。", "The time after which a connected device is considered unresponsive."),
       {range("100", "5000", "ms"), range("200", "10000", "ms"), range("500", "30000", "ms"), range("100", "8000", "ms"), range("1000", "20000", "ms"), range("300", "6000", "ms")},
       {both("3000 ms")}, false, true},
      {"S-01", T("起動画面番号", "start screen number"), T("電源投入時に表示する画面の番号です。", "The screen shown at power-on."),
       {range("1", "9999", "")}, {both("1")}, false, false},
      {"S-02", T("表示言語", "display language"), T("システム画面の言語です。", "The language of the system screens."),
       {T("0：日本語、1：英語", "0: Japanese, 1: English")}, {T("0（日本語）", "0 (Japanese)")}, false, false},
      {"S-10", T("ブザー", "buzzer"), T("タッチ時のブザー音の有無です。", "Whether the buzzer sounds on touch."),
       {T("0：OFF、1：ON", "0: OFF, 1: ON")}, {T("1（ON）", "1 (ON)")}, false, false},
  };
  f.error_prefix = "ER-";
  f.error_min = 100;
  f.error_max = 499;
  f.errors = {
      {T("PLC通信エラー", "PLC communication error"), T("接続先のPLCから応答がない", "the connected PLC does not respond"),
       T("通信ケーブルと接続先の局番・通信設定を確認する", "check the cable and the station number and communication settings of the connected device")},
      {T("タッチパネル異常", "touch panel error"), T("タッチパネルの検出回路に異常がある", "the touch detection circuit is faulty"),
       T("タッチ位置の補正を実行し、改善しなければ本体を交換する", "run touch calibration and replace the unit if the error persists")},
      {T("バックアップ電池電圧低下", "low backup battery"), T("時計用バックアップ電池の電圧が低下した", "the voltage of the clock backup battery dropped"),
       T("バックアップ電池を新品に交換する", "replace the backup battery with a new one")},
      {T("画面データ異常", "screen data error"), T("転送された画面データが破損している", "the transferred screen data is corrupted"),
       T("作画ソフトから画面データを再転送する", "transfer the screen data again from the screen design software")},
      {T("メモリーカード未挿入", "memory card not inserted"), T("ログ保存先のメモリーカードが挿入されていない", "the memory card used for logging is not inserted"),
       T("メモリーカードを挿入し、書込み禁止スイッチを解除する", "insert the memory card and release its write-protect switch")},
      {T("内部温度異常", "internal temperature error"), T("本体内部の温度が上限を超えた", "the temperature inside the unit exceeded its limit"),
       T("盤内温度を下げ、通風孔をふさがないようにする", "lower the cabinet temperature and keep the vents clear")},
      {T("時計データ異常", "clock data error"), T("内蔵時計のデータが失われた", "the built-in clock data was lost"),
       T("時刻を再設定する", "set the clock again")},
      {T("USB過電流", "USB overcurrent"), T("USBポートに接続した機器の消費電流が大きすぎる", "a device connected to the USB port draws too much current"),
       T("USB機器を取り外し、セルフパワー型の機器を使用する", "remove the USB device and use a self-powered one")},
      {T("Ethernetリンクダウン", "Ethernet link down"), T("Ethernetケーブルが外れているか、ハブの電源が切れている", "the Ethernet cable is disconnected or the hub is switched off"),
       T("ケーブルの接続とハブの電源を確認する", "check the cable connection and the power of the hub")},
  };
  f.symptoms = {
      {T("画面が表示されない", "The screen stays dark"),
       T("DC24Vの電源が供給されているか、バックライト消灯時間（S-05）で消灯していないかを確認してください。", "Check the 24 V DC supply and whether the backlight was turned off by the S-05 delay.")},
      {T("タッチ位置がずれる", "Touches register at the wrong position"),
       T("システムメニューからタッチ位置の補正を実行してください。", "Run touch calibration from the system menu.")},
  };
  f.reset_keys = {T("画面右上隅", "the top-right corner of the screen"), T("画面左上隅と右下隅", "the top-left and bottom-right corners of the screen"),
                  T("[MENU]キー", "the [MENU] key")};
  f.init_params = {"S-90", "S-95", "S-99"};
  f.display = T("画面", "screen");
  return f;
}

}  // namespace

std::vector<FamilyDef> catalog() { return {plc_cpu(), io_unit(), servo(), inverter(), hmi()}; }

}  // namespace gemba::tools
