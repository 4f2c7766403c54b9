Attribute VB_Name = "TK_Ribbon"
' Marketing Toolkit: the ribbon's callbacks.
' Each button runs one Python function of toolkit.excel.macros through xlwings' RunPython
' (module "xlwings" of this add-in, made from xlwings_custom_addin.bas, which hands Python the
' ACTIVE workbook as Book.caller(), not this add-in - see xlwings issue #1746).
' Settings come from GetConfig: a "MarketingToolkit.conf" sheet in the active workbook, then this
' add-in's own "MarketingToolkit.conf" sheet, then MarketingToolkit.conf next to the workbook, then
' the user's MarketingToolkit.conf file. They reach Python hex-encoded, so no path can break the
' command line that RunPython builds.
Option Explicit

Sub TK_Validate(control As IRibbonControl)
    TK_Run "validate"
End Sub

Sub TK_Royalties(control As IRibbonControl)
    TK_Run "royalties"
End Sub

Sub TK_Completion(control As IRibbonControl)
    TK_Run "completion"
End Sub

Sub TK_Funds(control As IRibbonControl)
    TK_Run "funds"
End Sub

Sub TK_MonthlyReport(control As IRibbonControl)
    TK_Run "monthly_report"
End Sub

Sub TK_Statements(control As IRibbonControl)
    TK_Run "statements"
End Sub

Sub TK_ConsolidateFolder(control As IRibbonControl)
    TK_Run "consolidate_folder"
End Sub

Sub TK_ApproveSelection(control As IRibbonControl)
    TK_Run "approve_selection"
End Sub

Sub TK_RejectSelection(control As IRibbonControl)
    TK_Run "reject_selection"
End Sub

Sub TK_ApprovalQueue(control As IRibbonControl)
    TK_Run "approval_queue"
End Sub

Sub TK_GMQueue(control As IRibbonControl)
    TK_Run "gm_queue"
End Sub

Sub TK_ApplyDecisions(control As IRibbonControl)
    TK_Run "apply_decisions"
End Sub

Sub TK_ApprovalLog(control As IRibbonControl)
    TK_Run "approval_log"
End Sub

Sub TK_ApproveClose(control As IRibbonControl)
    TK_Run "approve_close"
End Sub

Sub TK_Analysis(control As IRibbonControl)
    TK_Run "analysis"
End Sub

Sub TK_NewTemplate(control As IRibbonControl)
    TK_Run "new_template"
End Sub

Sub TK_DraftPlan(control As IRibbonControl)
    TK_Run "draft_plan"
End Sub

Sub TK_CloseMonth(control As IRibbonControl)
    TK_Run "close_month"
End Sub

Sub TK_CompanyReport(control As IRibbonControl)
    TK_Run "company_report"
End Sub

Sub TK_Salary(control As IRibbonControl)
    TK_Run "salary"
End Sub

Sub TK_Forecast(control As IRibbonControl)
    TK_Run "forecast"
End Sub

Sub TK_Appraisal(control As IRibbonControl)
    TK_Run "appraisal"
End Sub

Sub TK_PerformanceFiles(control As IRibbonControl)
    TK_Run "performance_files"
End Sub

Sub TK_Candidates(control As IRibbonControl)
    TK_Run "candidates"
End Sub

Sub TK_History(control As IRibbonControl)
    TK_Run "history"
End Sub

Sub TK_PlanSettings(control As IRibbonControl)
    TK_Run "plan_settings"
End Sub

Sub TK_PlanCost(control As IRibbonControl)
    TK_Run "plan_cost"
End Sub

Sub TK_PublishPlan(control As IRibbonControl)
    TK_Run "publish_plan"
End Sub

Sub TK_ComparePlans(control As IRibbonControl)
    TK_Run "compare_versions"
End Sub

Sub TK_ImportFunctions(control As IRibbonControl)
    ' Imports the TK_ worksheet functions (UDF_MODULES = toolkit.excel.udfs) into the active workbook.
    If ActiveWorkbook Is Nothing Then
        TK_NeedWorkbook
        Exit Sub
    End If
    ImportPythonUDFs
End Sub

Sub TK_About(control As IRibbonControl)
    MsgBox TK_Say("Marketing Toolkit add-in", "842595005DE55177530552A08F7D9879") & vbCrLf & _
           TK_Say("Python: ", "0050007900740068006F006EFF1A") & TK_Setting("INTERPRETER_WIN") & TK_Setting("INTERPRETER_MAC") & vbCrLf & _
           TK_Say("Standards workbook: ", "680751C65DE54F5C7C3FFF1A") & TK_Setting("TOOLKIT_STANDARDS") & vbCrLf & _
           TK_Say("Language: ", "8BED8A00FF1A") & TK_Setting("TOOLKIT_LANG"), vbInformation, "Marketing Toolkit"
End Sub

Private Sub TK_Run(ByVal macroName As String)
    ' RunPython needs an open workbook: it passes the active one to Python as the caller.
    If ActiveWorkbook Is Nothing Then
        TK_NeedWorkbook
        Exit Sub
    End If
    RunPython "import toolkit.excel.settings as tks; tks.use_hex('" & TK_Hex(TK_Setting("TOOLKIT_STANDARDS")) & _
              "', '" & TK_Hex(TK_Setting("TOOLKIT_LANG")) & "'); import toolkit.excel.macros as tkm; tkm." & macroName & "()"
End Sub

Private Sub TK_NeedWorkbook()
    MsgBox TK_Say("Open a workbook first.", "8BF7514862535F004E004E2A5DE54F5C7C3F3002"), vbExclamation, "Marketing Toolkit"
End Sub

Private Function TK_Say(ByVal english As String, ByVal chineseHex As String) As String
    ' A message in the add-in's language (TOOLKIT_LANG). VBA source is code page 1252, so the Chinese text
    ' is written as UTF-16 code units, 4 hex digits each (the inverse of TK_Hex).
    If LCase$(Left$(TK_Setting("TOOLKIT_LANG"), 2)) <> "zh" Then
        TK_Say = english
        Exit Function
    End If
    Dim i As Long, out As String
    For i = 1 To Len(chineseHex) Step 4
        out = out & ChrW(CLng("&H" & Mid$(chineseHex, i, 4) & "&"))
    Next i
    TK_Say = out
End Function

Private Function TK_Setting(ByVal key As String) As String
    TK_Setting = CStr(GetConfig(key, ""))
End Function

Private Function TK_Hex(ByVal text As String) As String
    ' UTF-16 code units as 4 hex digits each; Python decodes with bytes.fromhex(...).decode("utf-16-be").
    Dim i As Long, out As String
    For i = 1 To Len(text)
        out = out & Right$("000" & Hex$(AscW(Mid$(text, i, 1)) And &HFFFF&), 4)
    Next i
    TK_Hex = out
End Function
